import { ROLE_ACTIONS, type StaffMe, type StaffRow } from '@blindbox/shared';
import type { StaffDoc } from './staff.model';

export function staffRow(staff: StaffDoc): StaffRow {
  return {
    id: staff._id.toHexString(),
    username: staff.username,
    displayName: staff.displayName,
    role: staff.role,
    disabled: staff.disabled,
    totpEnabled: staff.totpSecret !== null,
    passwordChangeRequired: staff.passwordChangeRequired,
    lockedAt: staff.lockedAt?.toISOString() ?? null,
    failedLogins: staff.failedLogins,
    lastLoginAt: staff.lastLoginAt?.toISOString() ?? null,
    createdAt: staff.createdAt.toISOString(),
  };
}

export function staffMe(staff: StaffDoc, totpRequired: boolean, refundLimitFen: number | null): StaffMe {
  return {
    id: staff._id.toHexString(),
    username: staff.username,
    displayName: staff.displayName,
    role: staff.role,
    totpEnabled: staff.totpSecret !== null,
    totpEnrolmentRequired: totpRequired && staff.totpSecret === null,
    passwordChangeRequired: staff.passwordChangeRequired,
    permissions: [...ROLE_ACTIONS[staff.role]],
    refundLimitFen,
  };
}

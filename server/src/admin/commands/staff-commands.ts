import { text } from 'node:stream/consumers';
import QRCode from 'qrcode';
import { STAFF_ROLES, staffPasswordSchema, staffRoleSchema, staffUsernameSchema, totpCodeSchema, type StaffRole } from '@blindbox/shared';
import { staffRow } from '../../staff/staff-view';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';
import { line } from '../format';

const ROLES = STAFF_ROLES.join('|');

function parsed<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`${what}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  return result.data;
}

function oneName(context: AdminContext, sub: string): string {
  const [, name, ...extra] = context.positionals;
  if (!name || extra.length > 0) throw new UsageError(`staff ${sub} takes exactly one <name>`);
  return name;
}

/** The password piped in (`--password-stdin`), first line only, so `echo pass |` works. */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin reads the password from a pipe, e.g. `cat pass.txt | npm run admin -- staff create ...`');
  return parsed(staffPasswordSchema, (await text(process.stdin)).split(/\r?\n/)[0] ?? '', 'password');
}

export const staffCommand: AdminCommand = {
  name: 'staff',
  usage: `  staff create <name> --role ${ROLES} [--display-name N] [--password-stdin]
                                    a console account; prints a one-time password (changed at first login)
                                    unless --password-stdin gives one
  staff list                        console accounts: role, two-factor, lockout, last login
  staff set <name> [--role R] [--disabled true|false]
                                    change a member's role or disable the account (their sessions end)
  staff unlock <name>               lift the lockout after too many failed logins
  staff reset-password <name>       a new one-time password; the member's sessions end
  staff reset-2fa <name>            turn two-factor off (lost phone); the member enrols again at login
  staff enrol-2fa <name> [--code NNNNNN]
                                    print a TOTP QR code and secret for the member's app; --code confirms it`,
  options: {
    role: { type: 'string' },
    'display-name': { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    disabled: { type: 'string' },
    code: { type: 'string' },
  },
  destructive: (positionals) => ['reset-password', 'reset-2fa', 'set'].includes(positionals[0] ?? ''),
  async run(context) {
    const { staff: accounts, staffAuth } = context.container;
    const [sub] = context.positionals;
    const change = context.apply;
    switch (sub) {
      case 'create': {
        const username = parsed(staffUsernameSchema, oneName(context, 'create'), 'name');
        const role: StaffRole = parsed(staffRoleSchema, context.values.role, `--role (${ROLES})`);
        const password = context.values['password-stdin'] === true ? await passwordFromStdin() : undefined;
        const displayName = typeof context.values['display-name'] === 'string' ? context.values['display-name'] : undefined;
        const created = await accounts.create({ username, role, displayName, password }, change);
        if (context.dryRun) return context.print(null, () => '');
        const row = staffRow(created.staff);
        return context.print({ staff: row, oneTimePassword: created.oneTimePassword }, () =>
          [
            `staff member ${row.username} created (${row.role})`,
            created.oneTimePassword ? `one-time password: ${created.oneTimePassword}\n  (shown once; changed at first login at /console/)` : 'password: as given on stdin',
            staffAuth.totpRequiredFor(row.role) ? 'two-factor: enrolled at first login (or now: staff enrol-2fa <name>)' : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }
      case 'list': {
        if (context.positionals.length > 1) throw new UsageError('staff list takes no arguments');
        const rows = (await accounts.list()).map(staffRow);
        return context.print(rows, () =>
          rows.length === 0
            ? 'no staff accounts: npm run admin -- staff create <name> --role owner'
            : rows
                .map((row) => line`${row.username.padEnd(20)} ${row.role.padEnd(9)} ${row.totpEnabled ? '2FA' : '   '} ${row.disabled ? 'disabled' : row.lockedAt ? 'LOCKED' : 'active'}  last login ${row.lastLoginAt ?? 'never'}`)
                .join('\n'),
        );
      }
      case 'set': {
        const name = oneName(context, 'set');
        const role = context.values.role === undefined ? undefined : parsed(staffRoleSchema, context.values.role, `--role (${ROLES})`);
        const disabledText = context.values.disabled;
        if (disabledText !== undefined && disabledText !== 'true' && disabledText !== 'false') throw new UsageError('--disabled takes true or false');
        if (role === undefined && disabledText === undefined) throw new UsageError('staff set needs --role or --disabled');
        const updated = await accounts.update(name, { role, disabled: disabledText === undefined ? undefined : disabledText === 'true' }, null, change);
        return context.print(staffRow(updated), () => `staff member ${updated.username}: ${updated.role}${updated.disabled ? ', disabled' : ''}`);
      }
      case 'unlock': {
        const unlocked = await accounts.unlock(oneName(context, 'unlock'), change);
        return context.print(staffRow(unlocked), () => `staff member ${unlocked.username} unlocked`);
      }
      case 'reset-password': {
        const reset = await accounts.resetPassword(oneName(context, 'reset-password'), change);
        if (context.dryRun) return context.print(null, () => '');
        return context.print({ staff: staffRow(reset.staff), oneTimePassword: reset.oneTimePassword }, () => `one-time password for ${reset.staff.username}: ${reset.oneTimePassword}`);
      }
      case 'reset-2fa': {
        const reset = await accounts.resetTotp(oneName(context, 'reset-2fa'), change);
        return context.print(staffRow(reset), () => `two-factor of ${reset.username} turned off; they enrol again at their next login`);
      }
      case 'enrol-2fa': {
        const member = await accounts.get(oneName(context, 'enrol-2fa'));
        if (typeof context.values.code === 'string') {
          await staffAuth.confirmTotp(member, parsed(totpCodeSchema, context.values.code, '--code'), change);
          return context.print({ username: member.username, totpEnabled: true }, () => `two-factor enabled for ${member.username}`);
        }
        const { secret, otpauthUrl } = await staffAuth.enrolTotp(member);
        const qr = await QRCode.toString(otpauthUrl, { type: 'terminal', small: true });
        return context.print({ username: member.username, secret, otpauthUrl }, () =>
          `${qr}\nscan with an authenticator app, or type the secret: ${secret}\nthen: npm run admin -- staff enrol-2fa ${member.username} --code <6 digits>`,
        );
      }
      default:
        throw new UsageError('staff takes create, list, set, unlock, reset-password, reset-2fa or enrol-2fa');
    }
  },
};

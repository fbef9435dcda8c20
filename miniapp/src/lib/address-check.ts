import { addressInputSchema, type AddressInput } from '@blindbox/shared';

export type AddressField = keyof AddressInput;
export type AddressErrors = Partial<Record<AddressField, string>>;

export const EMPTY_ADDRESS: AddressInput = { name: '', phone: '', region: '', detail: '' };

/** One sentence per field, whichever of its rules failed (the rules are the shared schema the server checks). */
const FIELD_ERRORS: Record<AddressField, string> = {
  name: '请填写收货人姓名（50 字以内）',
  phone: '请填写 11 位手机号码',
  region: '请选择所在地区',
  detail: '请填写详细地址，如街道、门牌号（200 字以内）',
};

/** The fields' errors for these names (a VALIDATION_ERROR's `fields`, or the schema's own check). */
export function addressErrorsFor(fields: readonly string[]): AddressErrors {
  const errors: AddressErrors = {};
  for (const field of fields) if (field in FIELD_ERRORS) errors[field as AddressField] = FIELD_ERRORS[field as AddressField];
  return errors;
}

/** Checks an address before it is sent, by the schema the server applies, and says what is wrong per field. */
export function addressErrors(input: AddressInput): AddressErrors {
  const result = addressInputSchema.safeParse(input);
  return result.success ? {} : addressErrorsFor(result.error.issues.map((issue) => String(issue.path[0] ?? '')));
}

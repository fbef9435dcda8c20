import type { FormRule } from 'antd';
import type { z } from 'zod';

/** An antd form rule from a shared zod schema: the form says what the server would, in the schema's own words. */
export function zodRule(schema: z.ZodType): FormRule {
  return {
    validator: async (_, value: unknown) => {
      const result = schema.safeParse(value ?? '');
      if (!result.success) throw new Error(result.error.issues[0]?.message ?? '输入有误');
    },
  };
}

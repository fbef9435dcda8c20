import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', '.cache/**', '.scratch/**', 'miniapp/.swc/**', 'miniapp/babel.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Late binding of mutually dependent parts (declared first, assigned once) is intended.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
);

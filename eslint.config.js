// ESLint flat config: the recommended JS rules plus typescript-eslint's strict set.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.bench-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Deliberate busy loops (the echo app's /busy) and generator-based bodies use these.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscodeImport = {
  'no-restricted-imports': [
    'error',
    { paths: [{ name: 'vscode', message: 'Only src/vscode/ may import vscode: keep core, CLI and shared code host-independent.' }] },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'test/e2e/harness/node_modules/**', 'demo/**', '**/*.js', '**/*.mjs', '!scripts/**/*.mjs', '!eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', AbortController: 'readonly', structuredClone: 'readonly' } },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'No eval: use the safe expression evaluator.' },
        { selector: "NewExpression[callee.name='Function']", message: 'No new Function: use the safe expression evaluator.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  { files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/shared/**/*.ts', 'webview/**/*.ts'], rules: noVscodeImport },
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
);

// ESLint: the recommended rules plus typescript-eslint's type-aware ones (floating promises, unsafe any, ...).
// `npm run lint` runs it; a rule is switched off only on a line where the code is right and the rule wrong, with the reason.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'web/dist/', 'node_modules/', '.cache/', 'src/kernels/wgsl-sources.generated.ts']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  // The plain-JS files (bin/, tools/) are Node scripts outside the TypeScript project: no type information, Node's globals.
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked], languageOptions: { globals: globals.node } },
);

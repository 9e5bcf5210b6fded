import fs from 'node:fs';
import path from 'node:path';
import { clientTypesFile, generateClientTypes } from '../src/web/client-types.ts';

/**
 * Writes web/src/api/schema.d.ts, the web app's typed view of the API. The file is committed: the web
 * build does not need this script, only a change to the API does (`npm run web:api`); a test fails
 * while the committed file and the API disagree.
 */
const { text, paths } = await generateClientTypes();
fs.writeFileSync(clientTypesFile, text);
console.log(`Wrote ${path.relative(process.cwd(), clientTypesFile)} (${paths} paths).`);

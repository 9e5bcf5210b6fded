import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { clientTypesFile, generateClientTypes } from './client-types.ts';

test('the committed typed web client matches the API the app serves (run `npm run web:api` after changing a route)', async () => {
  const { text } = await generateClientTypes();
  assert.ok(fs.readFileSync(clientTypesFile, 'utf8') === text, 'web/src/api/schema.d.ts is out of date: run `npm run web:api` and commit it');
});

// The committed model files are what scripts/build-cost-models.ts extracts from AIConfigurator's tables
// (../shared/reference/aic-gb200); skipped, with the reason in its name, where that folder is absent.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TABLES_DIR, generatedModelFiles } from '../scripts/build-cost-models.ts';

const present = existsSync(DEFAULT_TABLES_DIR);

describe.skipIf(!present)(`models/*.json re-extracted from the AIC tables${present ? '' : ` (skipped: no ${DEFAULT_TABLES_DIR})`}`, () => {
  it('equal the committed files byte for byte', () => {
    const files = generatedModelFiles();
    expect(Object.keys(files).length).toBe(2);
    for (const [file, text] of Object.entries(files)) expect(readFileSync(file, 'utf8'), file).toBe(text);
  });
});

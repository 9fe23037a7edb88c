import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../src/report/csv-export.js';

/**
 * Security review, issue 9, finding 11 (CSV): the formula guard must not alter data. A phone number in
 * E.164 or a plain number is written byte for byte (quoted when it starts with a trigger character);
 * anything else starting with = + - @ tab or CR is still neutralised with a leading '.
 */
describe('csvCell', () => {
  it('writes an E.164 phone number unaltered, inside quotes', () => {
    expect(csvCell('+34612345678')).toBe('"+34612345678"');
    expect(csvCell('+5491100053095')).toBe('"+5491100053095"');
    expect(csvCell('+123456')).toBe('"+123456"');
    const row = csvRow(['phone:+34612345678', '+34612345678', 'x']);
    expect(row).toBe('phone:+34612345678,"+34612345678",x\r\n');
    expect(parse(row)).toEqual([['phone:+34612345678', '+34612345678', 'x']]);
  });

  it('writes plain numbers held as text unaltered', () => {
    expect(csvCell('-2')).toBe('"-2"');
    expect(csvCell('-0.5')).toBe('"-0.5"');
    expect(csvCell('42')).toBe('42');
    expect(csvCell(-2)).toBe('-2');
  });

  it('still neutralises formulas', () => {
    expect(csvCell('=HYPERLINK("https://example.invalid","x")')).toBe(
      `"'=HYPERLINK(""https://example.invalid"",""x"")"`,
    );
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell("+1+cmd|' /C calc'!A0")).toBe("'+1+cmd|' /C calc'!A0");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('=1')).toBe("'=1");
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r+34612345678')).toBe(`"'\r+34612345678"`);
    // Near misses of a phone number are not numbers.
    expect(csvCell('+34 612 345 678')).toBe("'+34 612 345 678");
    expect(csvCell('+12345')).toBe("'+12345");
    expect(csvCell('+1234567890123456')).toBe("'+1234567890123456");
    expect(csvCell('+34612345678\n=1')).toBe(`"'+34612345678\n=1"`);
  });

  it('leaves other text alone', () => {
    expect(csvCell('export:Archivo B')).toBe('export:Archivo B');
    expect(csvCell('a "quoted", text')).toBe('"a ""quoted"", text"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
  });
});

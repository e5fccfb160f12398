import { ZipFormatError, readZip, writeZip } from './zip';

// Made by Info-ZIP's `zip -r`: a directory entry, a stored file and a deflated one.
const INFO_ZIP_ARCHIVE =
  'UEsDBAoAAAAAADiqd10AAAAAAAAAAAAAAAAIAAAAcmVzdWx0cy9QSwMECgAAAAAAOKp3XYKIhbooAAAAKAAAABQAAAByZXN1bHRzL3Jlc3VsdHMuanNvbnsiY3VzdG9tLXRvb2wtY2FsbGluZyI6W3sibWV0cmljcyI6e319XX1QSwMEFAAAAAgAOap3XUC8yeUOAAAA0QAAAAoAAABjb25maWcueW1sS87PS8tMt1KoGCaACwBQSwECHgMKAAAAAAA4qnddAAAAAAAAAAAAAAAACAAAAAAAAAAAABAA7UEAAAAAcmVzdWx0cy9QSwECHgMKAAAAAAA4qnddgoiFuigAAAAoAAAAFAAAAAAAAAABAAAApIEmAAAAcmVzdWx0cy9yZXN1bHRzLmpzb25QSwECHgMUAAAACAA5qnddQLzJ5Q4AAADRAAAACgAAAAAAAAABAAAApIGAAAAAY29uZmlnLnltbFBLBQYAAAAAAwADALAAAAC2AAAAAAA=';

describe('readZip / writeZip', () => {
  it('reads an archive written by another tool (stored and deflated entries, directories skipped)', () => {
    const entries = readZip(Buffer.from(INFO_ZIP_ARCHIVE, 'base64'));
    expect([...entries.keys()]).toEqual(['results/results.json', 'config.yml']);
    expect(entries.get('results/results.json')?.toString()).toBe('{"custom-tool-calling":[{"metrics":{}}]}');
    expect(entries.get('config.yml')?.toString()).toBe(`config: ${'x'.repeat(200)}\n`);
  });

  it('round-trips what it writes, binary and UTF-8 names included', () => {
    const binary = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256);
    const zip = writeZip({ 'results/résumé.json': '{"a":1}', 'blob.bin': binary, 'empty.txt': '' });
    const entries = readZip(zip);
    expect(entries.get('results/résumé.json')?.toString()).toBe('{"a":1}');
    expect(Buffer.compare(entries.get('blob.bin')!, Buffer.from(binary))).toBe(0);
    expect(entries.get('empty.txt')?.length).toBe(0);
  });

  it('stores entries uncompressed on request, readable the same way and CRC-checked', () => {
    const text = 'hello '.repeat(200);
    const stored = writeZip({ 'results/results.json': text }, { method: 'store' });
    expect(stored.length).toBeGreaterThan(text.length);
    expect(writeZip({ 'results/results.json': text }).length).toBeLessThan(text.length / 4);
    expect(readZip(stored).get('results/results.json')?.toString('utf8')).toBe(text);
    const corrupt = Buffer.from(stored);
    corrupt[30 + 'results/results.json'.length] = 0x21; // the first stored byte, 'h' → '!'
    expect(() => readZip(corrupt)).toThrow(/results\.json/);
  });

  it('names what is wrong with garbage, truncation, corruption and oversized contents', () => {
    expect(() => readZip(Buffer.from('{"not":"a zip"}'))).toThrow(ZipFormatError);
    expect(() => readZip(Buffer.from('short'))).toThrow('not a readable ZIP archive: only 5 bytes');
    const zip = writeZip({ 'a.txt': 'hello hello hello hello' });
    expect(() => readZip(zip.subarray(10))).toThrow(ZipFormatError);
    const corrupt = Buffer.from(zip);
    const dataAt = 30 + 'a.txt'.length; // the first byte of the deflated data
    corrupt[dataAt] = (corrupt[dataAt] ?? 0) ^ 0xff;
    expect(() => readZip(corrupt)).toThrow(/a\.txt/);
    expect(() => readZip(writeZip({ 'big.txt': 'x'.repeat(1000) }), { maxTotalBytes: 100 })).toThrow(
      'contents exceed 100 bytes',
    );
  });
});

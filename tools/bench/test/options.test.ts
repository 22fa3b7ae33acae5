import { describe, expect, test } from 'vitest';
import { DEFAULTS, OptionsError, parseOptions } from '../src/options.js';

// Bad options must stop the bench before it starts anything, with one line to print.
describe('bench options', () => {
  test('defaults, quick mode and explicit values', () => {
    const defaults = parseOptions([], {});
    expect(defaults).toMatchObject({ sockets: DEFAULTS.sockets, growthMessages: DEFAULTS.growthMessages });
    expect(parseOptions(['--quick', '--sockets', '19000'], {})).toMatchObject({
      quick: true,
      sockets: 19_000,
    });
    expect(parseOptions(['--url', 'http://127.0.0.1:5000/'], {})).toMatchObject({
      url: 'http://127.0.0.1:5000',
    });
    expect(parseOptions(['--warm-up', '0'], {})).toMatchObject({ warmUpSeconds: 0 });
    expect(parseOptions(['--quick'], {})).toMatchObject({ warmUpSeconds: 1 });
    expect(parseOptions(['--help'], {})).toBe('help');
  });

  test.each([
    [['--growth', '100'], '--growth takes a whole number ≥ 200'],
    [['--sockets', '0'], '--sockets takes a whole number ≥ 1'],
    [['--users', '1.5'], '--users takes a whole number ≥ 2'],
    [['--duration=-3'], '--duration takes a whole number ≥ 1'],
    [['--duration', '-3'], "Option '--duration' argument is ambiguous"],
    [['--rate', '1e3'], '--rate takes a whole number ≥ 0'],
    [['--warm-up', '601'], '--warm-up takes a whole number ≤ 600'],
    [['--sockets', '9999999'], '--sockets takes a whole number ≤ 200,000'],
    [['--url', 'ftp://host'], '--url takes an http(s) URL'],
    [['--nope'], "Unknown option '--nope'"],
    [['--out'], "Option '--out <value>' argument missing"],
  ])('%j is refused with a one-line message', (argv, message) => {
    let thrown: unknown;
    try {
      parseOptions(argv, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OptionsError);
    const text = (thrown as Error).message;
    expect(text).toContain(message);
    expect(text).not.toContain('\n');
  });
});

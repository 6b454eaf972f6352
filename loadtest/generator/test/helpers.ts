import { SyntheticGenerator, type GeneratorOptions, type SyntheticRecord } from '../generator.js';

export function take(opts: GeneratorOptions): SyntheticRecord[] {
  return [...new SyntheticGenerator(opts)];
}

export function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

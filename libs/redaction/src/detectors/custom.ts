// A detector from the config: the user's regex, replaced by a literal token (no `$1` expansion, so a replacement can
// never smuggle matched text back in).
import { type CustomDetectorConfig } from '../config';
import { type Detector } from './detector';

export function customDetector(config: CustomDetectorConfig): Detector {
  const re = new RegExp(config.pattern, `${config.flags}g`);
  const token = config.replacement;
  return {
    name: config.name,
    mayMatch: () => true,
    redact(text, hit) {
      re.lastIndex = 0;
      return text.replace(re, (match: string) => {
        // The config rejects patterns that match '', but a lookaround can still produce an empty match mid-text.
        if (match.length === 0) return match;
        hit();
        return token;
      });
    },
  };
}

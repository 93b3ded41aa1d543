/**
 * Structured logging as Powertools' Logger offers it (its instances satisfy this interface); the use-cases only
 * need these four levels and a bag of structured fields.
 */
export interface Logger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** parse-field.mjs: how the explorer and the calculator read a number typed into a text field. */

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * What a text field holds: a number if the text is a decimal number ("2", "2.5", "1e9"), else the
 * text itself, so that checkInt rejects it with the text quoted ("stride (height) must be an
 * integer >= 1, got \"abc\""). Nothing is coerced silently.
 */
export function parseField(text) {
  const trimmed = String(text).trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : String(text);
}

/** Every string inside a value (objects, arrays; JSON-encoded strings are not decoded), joined by newlines. */
export function stringsIn(value: unknown): string {
  const out: string[] = [];
  const walk = (item: unknown): void => {
    if (typeof item === 'string') out.push(item);
    else if (Array.isArray(item)) for (const entry of item) walk(entry);
    else if (item !== null && typeof item === 'object') for (const entry of Object.values(item)) walk(entry);
  };
  walk(value);
  return out.join('\n');
}

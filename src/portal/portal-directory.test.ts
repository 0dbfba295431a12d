import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { createHttpPortalClient } from './http-portal-client.js';
import { createPortalDirectory } from './portal-directory.js';

const acme = createHttpPortalClient({ name: 'Acme', host: 'https://acme.duplo.test', token: 't1' });
const globex = createHttpPortalClient({ name: 'globex.duplo.test', host: 'https://globex.duplo.test', token: 't2' });

describe('createPortalDirectory', () => {
  it('lists the portals in configured order', () => {
    expect(createPortalDirectory([acme, globex]).list()).toEqual([acme, globex]);
  });

  it('finds a portal by name regardless of case', () => {
    const directory = createPortalDirectory([acme, globex]);
    expect(directory.get('acme')).toBe(acme);
    expect(directory.get('ACME')).toBe(acme);
    expect(directory.get('Globex.Duplo.Test')).toBe(globex);
  });

  it('refuses an unknown portal with input.invalid', () => {
    const directory = createPortalDirectory([acme]);
    expect(() => directory.get('x')).toThrow(DomainError);
    expect(() => directory.get('x')).toThrow('Unknown portal "x"');
    try {
      directory.get('x');
    } catch (error) {
      expect((error as DomainError).code).toBe('input.invalid');
    }
  });

  it('refuses two portals whose names differ only in case', () => {
    const twin = createHttpPortalClient({ name: 'ACME', host: 'https://other.duplo.test', token: 't3' });
    expect(() => createPortalDirectory([acme, twin])).toThrow(DomainError);
  });
});

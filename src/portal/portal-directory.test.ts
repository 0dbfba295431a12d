import { describe, expect, it } from 'vitest';
import { noSettings } from '../../test/support/portal-testing.js';
import { DomainError } from '../domain/errors.js';
import type { PortalClient } from '../domain/ports.js';
import { createPortalDirectory } from './portal-directory.js';

/** A portal client that only has a name: the directory never calls one. */
const stub = (name: string, host = `https://${name.toLowerCase()}.duplo.test`): PortalClient => {
  const unused = () => Promise.reject(new Error(`${name}: not called in these tests`));
  return {
    name,
    host,
    settings: noSettings,
    helpdesk: unused,
    knownHelpdesk: () => null,
    check: unused,
    findUser: unused,
    userSpaces: unused,
    listSpaces: unused,
    permissionChoices: unused,
    listAgents: unused,
    createTicket: unused,
    sendMessage: unused,
    getTicket: unused,
    reassignAgent: unused,
    setTicketStatus: unused,
    ticketUrl: () => `${host}/app/ai/service-desk`,
  };
};

const acme = stub('Acme');
const globex = stub('globex.duplo.test', 'https://globex.duplo.test');

describe('createPortalDirectory', () => {
  it('lists the portals in configured order', () => {
    expect(createPortalDirectory([acme, globex]).list()).toEqual([acme, globex]);
  });

  it('finds a portal by name regardless of case and surrounding spaces', () => {
    const directory = createPortalDirectory([acme, globex]);
    expect(directory.get('acme')).toBe(acme);
    expect(directory.get('ACME')).toBe(acme);
    expect(directory.get(' Globex.Duplo.Test ')).toBe(globex);
  });

  it('refuses an unknown portal with input.invalid', () => {
    const directory = createPortalDirectory([acme]);
    let thrown: unknown;
    try {
      directory.get('x');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('input.invalid');
    expect((thrown as DomainError).message).toBe('Unknown portal "x"');
    expect((thrown as DomainError).details).toEqual({ portal: 'x' });
  });

  it('refuses two portals whose names differ only in case', () => {
    const twin = stub('ACME', 'https://other.duplo.test');
    expect(() => createPortalDirectory([acme, twin])).toThrow('Portal "ACME" is configured twice');
  });

  it('may be empty', () => {
    expect(createPortalDirectory([]).list()).toEqual([]);
  });
});

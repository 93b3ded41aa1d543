import { describe, expect, it } from 'vitest';
import { paceEndpoint, paceSite } from '../../../shared/domain/pacing/jira-pace.ts';

describe('Function: paceEndpoint (one bucket per method and endpoint, as Jira meters)', () => {
  it.each([
    ['POST', 'issue', 'POST issue'],
    ['get', 'issue/CRASH-12', 'GET issue/{id}'],
    ['GET', 'issue/10042/transitions', 'GET issue/{id}/transitions'],
    ['PUT', 'issue/GAME_2-7/assignee', 'PUT issue/{id}/assignee'],
    ['GET', 'search/jql', 'GET search/jql'],
    ['GET', '/serverInfo/', 'GET serverInfo'],
  ])('%s %s -> %s', (method, path, expected) => {
    expect(paceEndpoint(method, path)).toBe(expected);
  });
});

describe('Function: paceSite', () => {
  it.each([
    ['https://Acme.atlassian.net', 'acme.atlassian.net'],
    ['https://jira.example.com/jira/', 'jira.example.com/jira'],
    ['http://127.0.0.1:8080', '127.0.0.1:8080'],
  ])('%s -> %s', (url, expected) => {
    expect(paceSite(url)).toBe(expected);
  });
});

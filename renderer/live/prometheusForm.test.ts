// The Live form's Prometheus server: what it asks the Node side to connect (URL, job, the user's
// PromQL, a bearer token or basic credentials), and what a saved connection keeps — never the
// token or the password, nor credentials written into the URL.
import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, PROM_URL, requestsFromForm, toSaved, type ConnectionForm } from './model';

const form: ConnectionForm = {
  ...EMPTY_FORM,
  kind: 'prometheus',
  promUrl: 'https://ops:url-Secret-1@prom.example:9090/',
  promJob: 'orders',
  promQuery: 'sum(rate(http_requests_total[1m]))',
  promToken: 'tok-Secret-2',
  password: 'pw-Secret-3',
  username: 'planner',
};

describe('the Prometheus server in the connection form', () => {
  it('connects with the URL, job, query and the token (the token wins over basic auth)', () => {
    expect(requestsFromForm(form)).toEqual([
      {
        kind: 'prometheus',
        url: 'https://ops:url-Secret-1@prom.example:9090/',
        job: 'orders',
        query: 'sum(rate(http_requests_total[1m]))',
        bearer_token: 'tok-Secret-2',
        interval_s: 1,
      },
    ]);
    const basic = requestsFromForm({ ...form, promToken: '', promQuery: ' ' });
    expect(basic[0]).toMatchObject({ username: 'planner', password: 'pw-Secret-3' });
    expect(basic[0]).not.toHaveProperty('query');
    expect(requestsFromForm({ ...EMPTY_FORM, kind: 'prometheus' })[0]).toMatchObject({
      url: PROM_URL,
      job: '',
    });
  });

  it('saves the connection without any secret', () => {
    const saved = JSON.stringify(toSaved(form));
    for (const secret of ['url-Secret-1', 'tok-Secret-2', 'pw-Secret-3'])
      expect(saved).not.toContain(secret);
    expect(toSaved(form)).toMatchObject({
      kind: 'prometheus',
      promUrl: 'https://prom.example:9090/',
      promJob: 'orders',
      label: 'https://prom.example:9090/',
    });
  });
});

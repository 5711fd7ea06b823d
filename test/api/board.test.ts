import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { queueNames } from '../../lib/queues/registry.js';
import { ADMIN_TOKEN, useTestContext } from '../support/context.js';

const stack = useTestContext({ env: { JOB_ATTEMPTS: '1' } });

/** Debian's chromium package (.ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';

/** Job actions are icon buttons named by a tooltip: hover each until the wanted one shows, as a person would. */
async function clickAction(page: Page, name: string): Promise<void> {
  for (const button of await page.locator('[data-base-ui-tooltip-trigger] > button').all()) {
    await button.hover();
    const tooltip = page.getByText(name, { exact: true });
    const shown = await tooltip.waitFor({ state: 'visible', timeout: 2000 }).then(
      () => true,
      () => false,
    );
    if (shown) {
      await button.click();
      return;
    }
  }
  throw new Error(`no job action named ${name}`);
}

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser.close();
});

describe('Bull Board at /admin/queues', () => {
  it('refuses a browser without the admin credentials, and asks for them', async () => {
    const url = `${stack.baseUrl}/admin/queues`;
    const refusal = async (credentials?: { username: string; password: string }) => {
      const context = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
      const page = await context.newPage();
      // Headless, nobody answers the login prompt: the navigation fails once the server has refused.
      const [response] = await Promise.all([page.waitForResponse(url), page.goto(url).catch(() => null)]);
      const seen = { status: response.status(), challenge: await response.headerValue('www-authenticate') };
      await context.close();
      return seen;
    };
    expect(await refusal()).toEqual({ status: 401, challenge: expect.stringMatching(/^Basic /) as unknown });
    expect((await refusal({ username: 'admin', password: 'not-the-token' })).status).toBe(401);
  });

  it('lets an admin log in, see every queue, open a failed job and retry it', async () => {
    const key = await stack.newClient();
    const workers = await stack.startWorkers(['features']);
    const created = await stack.request<{ id: string; revision: number }>('POST', '/v1/jobs', {
      key,
      body: { externalId: 'board-1', title: 'Go engineer', description: 'Go and Kubernetes.', skills: [] },
    });
    // Features for a revision the row does not have, added by hand with no write behind it: the job fails
    // (one attempt in this file); an admin retries it once the revision exists.
    const features = stack.services.queues.get('features');
    const payload = { kind: 'job' as const, id: created.body.id, revision: 2 };
    await stack.services.queues.add('features', payload);
    const jobId = `job-${created.body.id}-2`;
    await expect.poll(() => features.getJobState(jobId), { timeout: 30_000 }).toBe('failed');
    await stack.request('PATCH', `/v1/jobs/${created.body.id}`, { key, body: { title: 'Go engineer II' } });

    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: ADMIN_TOKEN },
    });
    const page = await context.newPage();
    const home = await page.goto(`${stack.baseUrl}/admin/queues`);
    expect(home?.status()).toBe(200);
    for (const name of queueNames) {
      await expect.poll(() => page.getByText(name, { exact: true }).count()).toBeGreaterThan(0);
    }
    await page.goto(`${stack.baseUrl}/admin/queues/queue/features?status=failed`);
    await page.getByText(jobId).first().click();
    await expect
      .poll(() => page.getByText('RevisionNotWrittenError', { exact: false }).count())
      .toBeGreaterThan(0);
    await clickAction(page, 'Retry');
    const confirm = page.getByRole('alertdialog');
    await expect.poll(() => confirm.textContent()).toContain('retry this job');
    await confirm.getByRole('button', { name: 'Confirm' }).click();

    await expect.poll(() => features.getJobState(jobId), { timeout: 30_000 }).toBe('completed');
    const job = await stack.request<{ features: { status: string } }>('GET', `/v1/jobs/${created.body.id}`, {
      key,
    });
    expect(job.body.features.status).toBe('ready');
    await context.close();
    await workers.close();
  });
});

import { Validator } from '@seriousme/openapi-schema-validator';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { createApp } from '../../api/app.js';
import { openApiDocument } from '../../lib/openapi.js';
import { checkResponse } from '../support/contract.js';
import { useTestContext } from '../support/context.js';
import { registeredRoutes } from '../support/routes.js';

const stack = useTestContext();

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (checked against the official schema)', async () => {
    const result = await new Validator().validate(openApiDocument('1.0.0') as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is served at /openapi.json', async () => {
    const response = await stack.request<{ openapi: string; paths: object }>('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(response.body).toEqual(JSON.parse(JSON.stringify(openApiDocument('1.0.0'))));
  });

  it('describes every route the API registers, and nothing it does not', () => {
    const documented = Object.entries(openApiDocument('1.0.0').paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = registeredRoutes(createApp(stack.services))
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`)
      .filter((route) => !route.startsWith('GET /docs') && route !== 'GET /openapi.json');
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('catches a response that breaks it (the contract check can fail)', () => {
    expect(() => {
      checkResponse('GET', '/v1/jobs/00000000-0000-4000-8000-000000000000', 200, 'application/json', {
        id: 1,
      });
    }).toThrow(/does not match/);
    expect(() => {
      checkResponse('GET', '/healthz', 418, 'application/json', {});
    }).toThrow(/does not list/);
    expect(() => {
      checkResponse('GET', '/healthz', 200, 'text/html', 'ok');
    }).toThrow(/sent text\/html/);
  });

  it('renders in Swagger UI at /docs, in headless Chromium', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      expect((await page.goto(`${stack.baseUrl}/docs`))?.status()).toBe(200);
      await expect.poll(() => page.getByText('Lookiy Match API').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('.opblock-summary-path').count()).toBeGreaterThan(20);
      expect(await page.locator('.opblock-summary-path').allInnerTexts()).toContain('/v1/match-requests');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

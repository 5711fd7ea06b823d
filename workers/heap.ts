/**
 * The heap limits every worker launch sets (npm start, `npm run worker`, Dockerfile.worker, deploy/k8s, and the
 * benches and chaos run, so that they measure the product). Without them V8 sizes the heap from the machine's
 * memory and lets the features JSON parsed for a match's cache misses pile up to several times what is live
 * before collecting it; the smaller young generation collects that short-lived JSON sooner (README,
 * Operations: worker memory). package.json, the Dockerfile and the k8s manifest cannot import this and
 * repeat the flags.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=4'] as const;

/** The same flags as NODE_OPTIONS, for launches that take node flags only through the environment. */
export const WORKER_NODE_OPTIONS = WORKER_NODE_FLAGS.join(' ');

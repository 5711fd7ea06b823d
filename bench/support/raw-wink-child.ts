/**
 * The raw wink-nlp baseline, in a child process of its own: a second wink instance in the process that
 * runs the project's analyzer is fragile (created before it, it breaks the analyzer's learnCustomEntities),
 * so the baseline gets a fresh process with one plain instance and no custom entities.
 *
 * Protocol (IPC): receives one RawWinkRequest, answers with one RawWinkResponse, then exits.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

import { timePasses } from './stats.js';

export interface RawWinkRequest {
  sets: { name: string; texts: string[] }[];
  warmup: number;
  repetitions: number;
}

export interface RawWinkResponse {
  sets: {
    name: string;
    /** wink's token count of each text: the unit both sides of the feature bench are measured in. */
    tokens: number[];
    /** Duration of each timed pass over the whole set. */
    seconds: number[];
  }[];
}

function run(request: RawWinkRequest): RawWinkResponse {
  const nlp = winkNLP(model);
  return {
    sets: request.sets.map(({ name, texts }) => {
      const tokens = texts.map((text) => nlp.readDoc(text).tokens().out().length);
      let sink = 0;
      const seconds = timePasses(
        () => {
          for (const text of texts) sink += nlp.readDoc(text).tokens().out().length;
        },
        request.warmup,
        request.repetitions,
      );
      if (sink < 0) throw new Error('unreachable');
      return { name, tokens, seconds };
    }),
  };
}

process.once('message', (message) => {
  const response = run(message as RawWinkRequest);
  process.send?.(response, () => {
    process.disconnect();
  });
});

import winkNLP, { type ItsFunction, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

import { skillVocabulary, type SkillVocabulary } from './vocabulary.js';

export interface TextAnalysis {
  /** Content-word lemmas (no stop words, punctuation or numbers), lowercased, in text order. */
  lemmas: string[];
  /** Canonical ids of the vocabulary skills the text mentions. */
  skills: string[];
  /** Every mention, with the words as written and the sentence around them (for negation and context). */
  mentions: SkillMention[];
}

export interface SkillMention {
  skill: string;
  text: string;
  sentence: string;
}

/**
 * One wink instance per process: loading the model and compiling the skill patterns takes ~100 ms, far too
 * slow to repeat per document.
 */
export class TextAnalyzer {
  private readonly nlp: WinkMethods;

  constructor(vocabulary: SkillVocabulary = skillVocabulary) {
    this.nlp = winkNLP(model);
    // Ambiguous forms ("go", "spring") are left out: in running text they are mostly ordinary words.
    this.nlp.learnCustomEntities(
      vocabulary.entries.map((entry) => ({
        name: entry.id,
        patterns: [entry.name.toLowerCase(), ...entry.aliases].filter(
          (pattern) => !entry.ambiguousAliases?.includes(pattern),
        ),
      })),
      { matchValue: false, usePOS: false, useEntity: false },
    );
  }

  analyze(text: string): TextAnalysis {
    /* eslint-disable @typescript-eslint/unbound-method -- wink's its.* are plain functions typed as methods */
    const its = this.nlp.its;
    const doc = this.nlp.readDoc(text);
    const mentions: SkillMention[] = [];
    const entities = doc.customEntities();
    // Sentences are read out once: copying the sentence per mention costs mentions × sentence length,
    // which a one-sentence skills list of 100 KB turns into a minute of CPU.
    const sentences = entities.length() === 0 ? [] : doc.sentences().out();
    for (let index = 0; index < entities.length(); index += 1) {
      const entity = entities.itemAt(index);
      mentions.push({
        skill: entity.out(its.type),
        text: entity.out(),
        sentence: sentences[entity.parentSentence().index()] ?? '',
      });
    }
    const skills = new Set(mentions.map((mention) => mention.skill));
    const tokens = doc.tokens();
    const types = tokens.out(its.type);
    const stopWords = tokens.out(its.stopWordFlag) as unknown as boolean[];
    // wink's typings declare its.lemma with a signature that out() does not accept; at run time it is fine.
    const normals = tokens.out(its.normal);
    // The lemmatiser has no answer for a few rare tokens; their normal form stands in.
    const lemmas = (tokens.out(its.lemma as unknown as ItsFunction<string>) as (string | undefined)[])
      .map((lemma, index) => (lemma ?? normals[index] ?? '').toLowerCase())
      .filter((lemma, index) => types[index] === 'word' && !stopWords[index] && lemma.length > 1);
    /* eslint-enable @typescript-eslint/unbound-method */
    return { lemmas, skills: [...skills], mentions };
  }
}

let shared: TextAnalyzer | undefined;

export function sharedAnalyzer(): TextAnalyzer {
  shared ??= new TextAnalyzer();
  return shared;
}

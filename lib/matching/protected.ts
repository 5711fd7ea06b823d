/**
 * Protected attributes never score (issue 15): words for gender, age, marital or family status, religion,
 * ethnicity and nationality, and statements of them ("Date of birth: 12.03.1985", "Nationality: German",
 * "34 years old"), are taken out of every text before any feature reads it — terms, titles, years, the
 * sentence embedding's input and, through the terms, candidate generation. Swapping "he" for "she" or one
 * birth year for another then leaves every feature, and so every score, as it was.
 *
 * Left alone: nationality adjectives, most of which are also languages ("German", a skill), words that
 * name a workplace or its people as often as a status (children, church), and words of a trade that spell
 * like one ("MS Excel", "race condition"); statements of a nationality or of one's children are removed.
 */
const PROTECTED_WORDS = new Set(
  [
    // Gender and sex.
    'he she him her his hers himself herself male female males females man woman men women boy girl boys',
    'girls gentleman gentlemen lady ladies mr mrs miss sir madam gender sex masculine feminine',
    'transgender nonbinary pregnant pregnancy maternity paternity',
    // Marital and family status.
    'married unmarried single divorced widowed widow widower spouse husband wife fiance fiancee marital',
    'son daughter sons daughters mother father mom dad',
    // Age.
    'age aged old young younger older elderly birth born birthday dob',
    // Religion.
    'religion religious christian muslim islam islamic jewish jew hindu buddhist catholic protestant sikh',
    'atheist',
    // Ethnicity and nationality.
    'racial ethnic ethnicity nationality citizenship caucasian',
  ].flatMap((group) => group.split(' ')),
);

/**
 * Statements of a protected fact, each matched in one bounded pass: a labelled line ("Gender: female",
 * "Date of birth: …", up to the end of its sentence), a birth date or year, an age. Bounded repetition
 * keeps every pattern linear in the text.
 */
const PROTECTED_STATEMENTS: readonly RegExp[] = [
  /\b(?:gender|sex|date of birth|birth ?date|d\.?o\.?b\.?|age|nationality|citizenship|religion|marital status|ethnicity|family status)\s*[:\-–]\s*(?:[^\n;|.]|\.(?=\S)){0,60}/giu,
  /\bborn\b[^\n.,;|]{0,40}/giu,
  /\b\d{1,3}[\s-]*(?:years?|yrs?)[\s-]*old\b/giu,
  /\baged?\s+\d{1,3}\b/giu,
  /\b(?:\d{1,2}|one|two|three|four|five|six)\s+(?:children|kids)\b/giu,
];

const WORD = /[\p{L}]+/gu;

/** The text with every statement of a protected fact and every protected word taken out. */
export function neutraliseText(text: string): string {
  let neutral = text;
  for (const statement of PROTECTED_STATEMENTS) neutral = neutral.replace(statement, ' ');
  return neutral.replace(WORD, (word) => (PROTECTED_WORDS.has(word.toLowerCase()) ? '' : word));
}

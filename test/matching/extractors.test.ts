import { describe, expect, it } from 'vitest';

import {
  isNegated,
  normaliseTitle,
  remoteOf,
  requiredYears,
  requirementLevel,
  salaryRange,
  seniorityOf,
  splitSections,
  statedYears,
  yearsFromDateRanges,
  type SalaryRange,
  type Seniority,
} from '../../lib/matching/extractors.js';

const NOW = new Date('2026-11-25T09:30:00Z');

describe('splitSections', () => {
  it('splits a posting at colon, markdown, bold and uppercase headings, keeping order', () => {
    const posting = [
      'Platform team at a logistics startup, growing fast.',
      '',
      '## About the Role',
      'You will own the routing service.',
      '',
      'What you will bring:',
      '- Solid Go or Rust',
      '- Comfort with on-call',
      '',
      '**Nice to have**',
      'Some Kafka.',
      '',
      'BENEFITS',
      'Bike leasing and a learning budget.',
    ].join('\n');
    expect(splitSections(posting)).toEqual([
      { heading: null, body: 'Platform team at a logistics startup, growing fast.' },
      { heading: 'About the Role', body: 'You will own the routing service.' },
      { heading: 'What you will bring', body: '- Solid Go or Rust\n- Comfort with on-call' },
      { heading: 'Nice to have', body: 'Some Kafka.' },
      { heading: 'BENEFITS', body: 'Bike leasing and a learning budget.' },
    ]);
  });

  it('reads Title Case section names as headings, keeps Title Case content, allows empty bodies', () => {
    const resume = [
      'Work Experience',
      'Staff Engineer at Globex',
      'Built billing at a fintech.\r',
      'Skills and Tools',
      'Education:',
      'BSc Physics',
    ].join('\n');
    expect(splitSections(resume)).toEqual([
      { heading: 'Work Experience', body: 'Staff Engineer at Globex\nBuilt billing at a fintech.' },
      { heading: 'Skills and Tools', body: '' },
      { heading: 'Education', body: 'BSc Physics' },
    ]);
  });

  it.each([
    ['a sentence ending in a period', 'We Ship Every Day.'],
    ['a bullet ending in a colon', '- Tools we use:'],
    ['a comma-separated skills line', 'Python, Django, Postgres'],
    ['a job entry with dates', 'Acme Logistics 2019 – 2022'],
    ['a short uppercase acronym', 'AWS'],
  ])('does not treat %s as a heading', (_label, line) => {
    expect(splitSections(`Intro text\n${line}\nMore text`)).toEqual([
      { heading: null, body: `Intro text\n${line}\nMore text` },
    ]);
  });

  it('returns nothing for blank text and one null-heading section for plain text', () => {
    expect(splitSections('  \n\n ')).toEqual([]);
    expect(splitSections('just one paragraph of prose.')).toEqual([
      { heading: null, body: 'just one paragraph of prose.' },
    ]);
  });
});

describe('requirementLevel', () => {
  it.each<[string | null, string, 'required' | 'preferred']>([
    ['Requirements', 'Three years of TypeScript in production.', 'required'],
    ['Nice to have', 'Exposure to Terraform.', 'preferred'],
    ['Bonus Points', 'You have given a conference talk.', 'preferred'],
    ['Preferred Qualifications', 'A degree in statistics.', 'preferred'],
    ['Requirements', 'Familiarity with GraphQL is a plus.', 'preferred'],
    [null, 'Knowing Elixir would be great.', 'preferred'],
    [null, 'Ideally you have run Cassandra at scale.', 'preferred'],
    [null, 'A security clearance is desirable.', 'preferred'],
    [null, 'Mandarin is optional but welcome.', 'preferred'],
  ])('heading %j + %j → %s', (heading, sentence, level) => {
    expect(requirementLevel(heading, sentence)).toBe(level);
  });
});

describe('isNegated', () => {
  it.each<[string, string, boolean]>([
    // Negated
    ['No Java experience needed for this role.', 'Java', true],
    ['This is not a PHP shop.', 'PHP', true],
    ['You can join without Kubernetes knowledge.', 'Kubernetes', true],
    ['I have never used Angular professionally.', 'Angular', true],
    ['Candidates with no experience with Node.js are welcome.', 'Node.js', true],
    ['Java is not required.', 'Java', true],
    ['Java not needed.', 'java', true],
    ["You don't need C++ for this team.", 'C++', true],
    ['We don’t expect you to know Rust.', 'Rust', true],
    ['Our team has no CI/CD yet.', 'CI/CD', true],
    ['No Java or Go background is necessary.', 'Go', true],
    ['Docker (not required) is used for local setup.', 'Docker', true],
    // Affirmative or out of scope
    ['Java, no problem.', 'Java', false],
    ['We use not only Java but also Go.', 'Java', false],
    ['We use not only Java but also Go.', 'Go', false],
    ['We build with Java, not Kotlin.', 'Java', false],
    ['No Java and Go is our main language.', 'Go', false],
    ["We don't use Scala, but Python is everywhere.", 'Python', false],
    ['Kafka is a plus, not required.', 'Kafka', false],
    ['You will write Python every day.', 'Python', false],
    ['No matter which cloud, AWS knowledge helps.', 'AWS', false],
  ])('%j / %s → %s', (sentence, mention, negated) => {
    expect(isNegated(sentence, mention)).toBe(negated);
  });

  it('matches whole names only, so a related name is not the mention', () => {
    expect(isNegated('No JavaScript in this stack.', 'Java')).toBe(false);
    expect(isNegated('No C# here.', 'C')).toBe(false);
    expect(isNegated('We write no Python at all.', 'Go')).toBe(false);
  });

  it('keeps a skill that is also mentioned affirmatively in the same sentence', () => {
    expect(isNegated('No legacy Java, we write modern Java 21.', 'Java')).toBe(false);
    expect(isNegated('No Java, no Java EE, nothing like it.', 'Java')).toBe(true);
  });

  it('ignores a negator too far before the mention in a long clause', () => {
    expect(
      isNegated(
        'Not being afraid of hard problems you will design and own the core of our Go services',
        'Go',
      ),
    ).toBe(false);
  });

  it('is false for an empty mention', () => {
    expect(isNegated('No Java.', '  ')).toBe(false);
  });

  it.each<[string, string, boolean]>([
    // A denial anywhere after the mention in its clause, at most one word after its negator.
    ['Java is for this team honestly not required.', 'Java', true],
    ['Java is not at all required.', 'Java', false],
    // The latest plain negator counts even when an emphasised one stands nearer.
    ['No Go, not only Java', 'Java', false],
    ['No Java experience, not only Go but Rust', 'Go', false],
    ['Not only Java but no Go', 'Go', true],
    ['Kubernetes, not Docker Swarm', 'Docker Swarm', true],
    ['Kubernetes, not Docker Swarm', 'Kubernetes', false],
    // A negator that runs into the mention is not before it.
    ["We can't.", 't', false],
    // Names that overlap are found left to right, as a search would.
    ['no a-a-a', 'a-a', true],
    ['.NET, no .NET Core', '.NET', false],
    ['No .NET here', '.net', true],
  ])('%j / %s → %s', (sentence, mention, negated) => {
    expect(isNegated(sentence, mention)).toBe(negated);
  });

  it('answers each sentence for itself when questions about several sentences alternate', () => {
    const negating = 'We have no Java.';
    const affirming = 'We have Java.';
    for (let round = 0; round < 3; round += 1) {
      expect(isNegated(negating, 'Java')).toBe(true);
      expect(isNegated(affirming, 'Java')).toBe(false);
      expect(isNegated(negating, 'Go')).toBe(false);
    }
  });

  it('reads a sentence that repeats a negator thousands of times', () => {
    const repeated = 'no k8s '.repeat(20_000);
    expect(isNegated(repeated, 'k8s')).toBe(true);
    expect(isNegated(`${'no k8s, '.repeat(20_000)}we run k8s`, 'k8s')).toBe(false);
    expect(isNegated('not only k8s '.repeat(20_000), 'k8s')).toBe(false);
    expect(isNegated(`k8s ${'not '.repeat(20_000)}required`, 'k8s')).toBe(true);
    expect(isNegated(`k8s, ${'x '.repeat(20_000)}not needed`, 'k8s')).toBe(false);
    expect(isNegated(`k8s ${'x '.repeat(20_000)}not needed`, 'k8s')).toBe(true);
  });
});

describe('requiredYears', () => {
  it.each<[string, number | null]>([
    ['You have 5+ years of experience with distributed systems.', 5],
    ['We expect at least 3 years in backend development.', 3],
    ['3-5 years of professional experience with React.', 3],
    ['Between 4 and 6 years of hands-on experience.', 4],
    ['Over ten years building payment systems.', 10],
    ['7 yrs exp. in embedded C.', 7],
    ['Min. 4 years experience in a similar role.', 4],
    ['Experience: 6+ years.', 6],
    ['Up to 2 years of experience is fine; this is an entry role.', null],
    ['Founded 12 years ago, we now serve 40 countries.', null],
    ['We offer a 2-year contract with an option to extend.', null],
    ['5 years with Kotlin would be a plus.', null],
  ])('%j → %s', (posting, years) => {
    expect(requiredYears(posting)).toBe(years);
  });

  it('takes the largest minimum among required sections and skips nice-to-have sections', () => {
    const posting = [
      'Requirements:',
      '- 3+ years of Python.',
      '- At least 5 years with SQL databases.',
      '',
      'Nice to have:',
      '- 8 years in the insurance industry.',
    ].join('\n');
    expect(requiredYears(posting)).toBe(5);
  });
});

describe('statedYears', () => {
  it.each<[string, number | null]>([
    ['Backend engineer with 6 years of experience in Go and Python.', 6],
    ['Over twelve years building data platforms. Two years as a team lead.', 12],
    ['I bring 10+ years in e-commerce and 3 years of consulting.', 10],
    ['Worked at Acme Corp (3 years) and Globex (2 years).', null],
    ['My first job was 15 years ago.', null],
    ['3 - 5 +  years of experience', 3],
    ['7 -  years of experience', 7],
  ])('%j → %s', (resume, years) => {
    expect(statedYears(resume)).toBe(years);
  });

  it('reads long runs of spaces after a figure', () => {
    const spaces = ' '.repeat(100_000);
    expect(statedYears(`3-5${spaces}x`)).toBeNull();
    expect(statedYears(`5 +${spaces}x`)).toBeNull();
    expect(statedYears(`4 -${spaces}years of experience`)).toBe(4);
    expect(requiredYears(`3 to 5${spaces}years of experience`)).toBe(3);
  });
});

describe('yearsFromDateRanges', () => {
  it.each<[string, number | null]>([
    ['Acme Logistics, 2016-2019', 3],
    ['Backend Engineer | Globex | 2016 – 2019', 3],
    ['Tech Lead, Initech — Jan 2018 – Present', 8.9],
    ['Data Engineer 03/2017 - 06/2020', 3.3],
    ['Freelance consultant, 2019 to date', 7.9],
    ['Support Engineer, May 2015 - Current', 11.6],
    ['Self-employed 2012–now', 14.9],
    ['QA Analyst Jan 2018 - Dec 2018', 1],
    ['Sept. 2019 to Mar 2021: mobile developer', 1.6],
    ['Jan 2026 - Present, Junior Developer', 0.9],
    // Implausible or absent
    ['Contract runs 2025 - 2028', null],
    ['Farm hand 1952 - 1958', null],
    ['Typo range 2019 - 2017', null],
    ['Same year 2021 - 2021', null],
    ['Planned: Dec 2026 - Present', null],
  ])('%j → %s', (text, years) => {
    expect(yearsFromDateRanges(text, NOW)).toBe(years);
  });

  it('merges overlapping and adjacent jobs so concurrent work is not double counted', () => {
    const resume = [
      'Senior Engineer, Acme — 2014 - 2018',
      'Part-time Lecturer, City College — 2016 - 2020',
      'Consultant, Self-employed — 2020 - 2022',
      'Volunteer mentor — 2015 - 2016',
    ].join('\n');
    expect(yearsFromDateRanges(resume, NOW)).toBe(8);
  });

  it('sums gaps separately and mixes month and year precision', () => {
    const resume = 'Mar 2010 – Feb 2012 at Foo\nBar Ltd 2015 - 2017';
    expect(yearsFromDateRanges(resume, NOW)).toBe(4);
  });

  it('depends on the given now, not the clock', () => {
    expect(yearsFromDateRanges('Jan 2020 - Present', new Date('2021-12-15T00:00:00Z'))).toBe(2);
  });
});

describe('seniorityOf', () => {
  it.each<[string, Seniority | null]>([
    ['Software Engineering Intern', 'junior'],
    ['Junior Frontend Developer', 'junior'],
    ['Entry-level Support Engineer', 'junior'],
    ['Mid-level Backend Developer', 'mid'],
    ['Senior Platform Engineer', 'senior'],
    ['Staff Software Engineer', 'lead'],
    ['Principal Product Designer', 'lead'],
    ['Lead Developer', 'lead'],
    ['Head of Engineering', 'lead'],
    ['Engineering Manager', 'lead'],
    ['Cloud Solutions Architect', 'lead'],
    ['Senior Engineering Manager', 'lead'],
    ['Backend Developer', null],
    ['Product Manager', null],
    ['Staff Accountant', null],
    ['Lead Generation Specialist', null],
    ['Internal Tools Engineer', null],
  ])('%j → %s', (title, level) => {
    expect(seniorityOf(title)).toBe(level);
  });
});

describe('normaliseTitle', () => {
  it.each([
    ['Sr. Backend Dev (m/w/d) – Remote (Berlin)', 'backend developer'],
    ['Senior Software Engineer (f/m/x)', 'software engineer'],
    ['Junior C++ Dev (all genders)', 'c++ developer'],
    ['Frontend Eng (Austin, TX)', 'frontend engineer'],
    ['Mid-Level Full-Stack Developer (Remote, EU)', 'full stack developer'],
    ['Software Engineer (Backend)', 'software engineer backend'],
    ['SWE II', 'software engineer'],
    ['Product Mgr', 'product manager'],
    ['Lead Developer', 'developer'],
    ['Tech Lead', 'tech lead'],
    ['.NET Developer', '.net developer'],
    ['Node.js Engineer', 'node.js engineer'],
    // Words that are also properties of every object are words like any other.
    ['Constructor', 'constructor'],
    ['toString valueOf __proto__', 'tostring valueof proto'],
    ['Lead Staff Senior Remote', 'staff'],
    ['Principal Lead Engineer', 'engineer'],
  ])('%j → %j', (title, normalised) => {
    expect(normaliseTitle(title)).toBe(normalised);
  });

  it('reads a title of many thousand words', () => {
    expect(normaliseTitle(`${'Lead '.repeat(50_000)}Engineer`)).toBe('engineer');
    expect(normaliseTitle(`Engineer ${'Lead '.repeat(50_000)}`)).toBe('engineer lead');
  });
});

describe('remoteOf', () => {
  it.each<[string, boolean | null]>([
    ['This is a remote position open to EU residents.', true],
    ['You can work from home every day.', true],
    ['We are a fully distributed company across six time zones.', true],
    ['Work from anywhere with a good internet connection.', true],
    ['Remote-first team with quarterly on-site meetups.', true],
    ['This role is on-site only in Munich.', false],
    ['Location: Onsite', false],
    ['You will be in office 5 days a week.', false],
    ['No remote, sorry.', false],
    ['Remote work is not possible for this role.', false],
    ['Remote sensing background helpful; the job is on-site.', false],
    ['Hybrid: two days a week in the office.', null],
    ['Remote possible, but we also like people in office.', null],
    ['Great team, modern stack, competitive pay.', null],
    ['', null],
  ])('%j → %s', (text, remote) => {
    expect(remoteOf(text)).toBe(remote);
  });
});

describe('salaryRange', () => {
  it.each<[string, SalaryRange | null]>([
    ['Base: $120,000 - $150,000', { min: 120_000, max: 150_000, currency: 'USD', period: 'year' }],
    ['Pay band 120k-150k USD', { min: 120_000, max: 150_000, currency: 'USD', period: 'year' }],
    ['Budgeted at 120-150k USD.', { min: 120_000, max: 150_000, currency: 'USD', period: 'year' }],
    ['Up to €60k depending on experience', { min: 60_000, max: 60_000, currency: 'EUR', period: 'year' }],
    ['£45,000 per annum plus pension', { min: 45_000, max: 45_000, currency: 'GBP', period: 'year' }],
    ['Contract rate $45/hour', { min: 45, max: 45, currency: 'USD', period: 'hour' }],
    ['Gehalt: 80.000 - 90.000 EUR', { min: 80_000, max: 90_000, currency: 'EUR', period: 'year' }],
    ['Salary 80.000 - 90.000 gross', { min: 80_000, max: 90_000, currency: null, period: 'year' }],
    ["CHF 110'000 to 130'000", { min: 110_000, max: 130_000, currency: 'CHF', period: 'year' }],
    ['€3,800 per month', { min: 3_800, max: 3_800, currency: 'EUR', period: 'month' }],
    ['Hourly rate: $55.50 - $70', { min: 55.5, max: 70, currency: 'USD', period: 'hour' }],
    ['€4.200 gross', { min: 4_200, max: 4_200, currency: 'EUR', period: 'month' }],
    [
      'We raised $20M last year. The salary is $100k-$130k.',
      { min: 100_000, max: 130_000, currency: 'USD', period: 'year' },
    ],
    ['5+ years of experience required', null],
    ['Employed 2016-2019 at Acme', null],
    ['Competitive salary and a 401(k) plan.', null],
    ['A €500 yearly learning budget per person.', null],
  ])('%j', (text, expected) => {
    expect(salaryRange(text)).toEqual(expected);
  });

  it('reads past many figures that are not pay, each in its own sentence or all in one', () => {
    const pay = { min: 100_000, max: 130_000, currency: 'USD', period: 'year' };
    expect(salaryRange(`${'Employed 2016-2019. '.repeat(20_000)}\nSalary: $100k-$130k.`)).toEqual(pay);
    expect(salaryRange(`Our budget: ${'$500 '.repeat(20_000)}\nSalary: $100k-$130k.`)).toEqual(pay);
    expect(salaryRange('2016-2019 '.repeat(20_000))).toBeNull();
  });
});

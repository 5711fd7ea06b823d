/**
 * Job postings for the 25 categories of `resume-categories`, assembled from public O*NET text, so that a
 * categorised resume can rank jobs (candidate → jobs) and a job can rank resumes (job → candidates) as the
 * product does, with graded relevance: the posting's own category, a sibling category, anything else.
 *
 * The postings are built at evaluation time from `../shared/data` and never stored in the project (its
 * README forbids copying the sentences). They are the same in every part of the split: public occupation
 * descriptions, not tuned on.
 */
import {
  DatasetFormatError,
  loadOnetAlternateTitles,
  loadOnetOccupations,
  loadOnetTasks,
  type OnetTask,
} from './datasets.js';

export interface PostingSpec {
  category: string;
  /** O*NET-SOC code whose description, tasks and technologies the posting is made of. */
  code: string;
  /** One of the occupation's alternate titles in `onet-titles/alternate_titles.csv` (checked at load). */
  title: string;
  /** Put before the title where one occupation serves several categories ("Python" + "Software Developer"). */
  prefix?: string;
  /**
   * The technologies the specialisation names, for an occupation that serves several categories (O*NET
   * lists Java, Python and C# for every software developer). Without it, the occupation's hot ones.
   */
  technologies?: RegExp;
}

const JAVA = /\bjava\b|javabeans|j2ee|spring|hibernate|maven|tomcat|struts|junit|jersey|groovy/i;
const PYTHON = /python|django|flask|pandas|numpy|scipy|pyspark|pytorch|jupyter/i;
const DOTNET = /\.net|c#|asp|visual studio|visual basic|sql server|azure/i;
const SAP = /\bsap\b|abap/i;
const BIG_DATA = /hadoop|hive|hbase|spark|pig|sqoop|oozie|flume|kafka|mapreduce|cloudera|impala|cassandra/i;
const ETL = /etl|informatica|datastage|ssis|pentaho|warehouse|sql|teradata|talend|oracle/i;
const DATABASE = /sql|oracle|database|mysql|postgres|mongo|db2|nosql/i;
const DEVOPS = /docker|kubernetes|jenkins|ansible|chef|puppet|terraform|amazon|azure|git|bash|linux|shell/i;
const TEST_AUTOMATION = /selenium|jmeter|junit|testng|cucumber|silktest|loadrunner|test|jenkins|bugzilla/i;
const TESTING = /test|bug|defect|jira|quality|sql/i;

/**
 * Category → postings. A reader should see at a glance which O*NET occupation stands for which category;
 * 2–3 postings where O*NET has distinct occupations for it, one where it has only one.
 */
// One row per posting reads as a table; prettier would spread the long rows over several lines.
// prettier-ignore
export const CATEGORY_POSTINGS: readonly PostingSpec[] = [
  { category: 'Java Developer', code: '15-1251.00', title: 'Java Developer', technologies: JAVA },
  { category: 'Java Developer', code: '15-1252.00', title: 'Software Developer', prefix: 'Java', technologies: JAVA },
  { category: 'Python Developer', code: '15-1252.00', title: 'Software Developer', prefix: 'Python', technologies: PYTHON },
  { category: 'Python Developer', code: '15-1251.00', title: 'Application Programmer', prefix: 'Python', technologies: PYTHON },
  { category: 'DotNet Developer', code: '15-1251.00', title: '.NET Programmer', technologies: DOTNET },
  { category: 'DotNet Developer', code: '15-1252.00', title: 'Software Developer', prefix: '.NET', technologies: DOTNET },
  { category: 'SAP Developer', code: '15-1252.00', title: 'Software Developer', prefix: 'SAP', technologies: SAP },
  { category: 'SAP Developer', code: '15-1211.00', title: 'ERP Consultant (Enterprise Resource Planning Consultant)', prefix: 'SAP', technologies: SAP },
  { category: 'Blockchain', code: '15-1299.07', title: 'Blockchain Developer' },
  { category: 'Web Designing', code: '15-1255.00', title: 'Web Designer' },
  { category: 'Web Designing', code: '15-1254.00', title: 'Web Developer' },
  { category: 'Database', code: '15-1242.00', title: 'Database Administrator (DBA)', technologies: DATABASE },
  { category: 'Database', code: '15-1243.00', title: 'Database Developer', technologies: DATABASE },
  { category: 'Hadoop', code: '15-1243.00', title: 'Big Data Engineer', prefix: 'Hadoop', technologies: BIG_DATA },
  { category: 'Hadoop', code: '15-1243.01', title: 'Big Data Engineer', prefix: 'Hadoop', technologies: BIG_DATA },
  { category: 'ETL Developer', code: '15-1243.01', title: 'ETL Developer (Extract-Transform-Load Developer)', technologies: ETL },
  { category: 'ETL Developer', code: '15-1242.00', title: 'ETL Developer (Extract, Transform and Load Developer)', technologies: ETL },
  { category: 'Data Science', code: '15-2051.00', title: 'Data Scientist' },
  { category: 'Data Science', code: '15-1221.00', title: 'Machine Learning Engineer' },
  { category: 'Data Science', code: '15-2041.00', title: 'Statistician' },
  { category: 'Testing', code: '15-1253.00', title: 'Quality Assurance Analyst (QA Analyst)', technologies: TESTING },
  { category: 'Automation Testing', code: '15-1253.00', title: 'Quality Assurance Automation Engineer (QA Automation Engineer)', technologies: TEST_AUTOMATION },
  { category: 'DevOps Engineer', code: '15-1252.00', title: 'DevOps Engineer (Development Operations Engineer)', technologies: DEVOPS },
  { category: 'DevOps Engineer', code: '15-1299.08', title: 'Cloud Engineer', technologies: DEVOPS },
  { category: 'Network Security Engineer', code: '15-1299.05', title: 'Network Security Engineer' },
  { category: 'Network Security Engineer', code: '15-1212.00', title: 'Cyber Security Analyst' },
  { category: 'Network Security Engineer', code: '15-1241.00', title: 'Network Architect' },
  { category: 'Business Analyst', code: '13-1111.00', title: 'Business Analyst' },
  { category: 'Business Analyst', code: '15-1211.00', title: 'Business Systems Analyst' },
  { category: 'Business Analyst', code: '15-2051.01', title: 'Business Intelligence Analyst (BI Analyst)' },
  { category: 'PMO', code: '15-1299.09', title: 'Computer Project Manager' },
  { category: 'PMO', code: '13-1082.00', title: 'Project Manager' },
  { category: 'Operations Manager', code: '11-1021.00', title: 'Operations Manager' },
  { category: 'Operations Manager', code: '11-3051.00', title: 'Production Manager' },
  { category: 'HR', code: '11-3121.00', title: 'HR Manager (Human Resources Manager)' },
  { category: 'HR', code: '13-1071.00', title: 'HR Generalist (Human Resources Generalist)' },
  { category: 'Advocate', code: '23-1011.00', title: 'Lawyer' },
  { category: 'Advocate', code: '23-2011.00', title: 'Legal Assistant' },
  { category: 'Sales', code: '11-2022.00', title: 'Area Sales Manager' },
  { category: 'Sales', code: '41-3091.00', title: 'Field Sales Representative' },
  { category: 'Sales', code: '41-4012.00', title: 'Sales Representative (Sales Rep)' },
  { category: 'Arts', code: '27-1013.00', title: 'Artist' },
  { category: 'Arts', code: '27-1024.00', title: 'Graphic Designer' },
  { category: 'Arts', code: '27-1011.00', title: 'Art Director' },
  { category: 'Health and fitness', code: '39-9031.00', title: 'Fitness Trainer' },
  { category: 'Health and fitness', code: '11-9179.01', title: 'Fitness Coordinator' },
  { category: 'Health and fitness', code: '29-1031.00', title: 'Nutritionist' },
  { category: 'Civil Engineer', code: '17-2051.00', title: 'Civil Engineer' },
  { category: 'Civil Engineer', code: '17-3022.00', title: 'Civil Engineering Technologist' },
  { category: 'Mechanical Engineer', code: '17-2141.00', title: 'Mechanical Engineer' },
  { category: 'Mechanical Engineer', code: '17-3027.00', title: 'Mechanical Engineering Technologist' },
  { category: 'Electrical Engineering', code: '17-2071.00', title: 'Electrical Engineer' },
  { category: 'Electrical Engineering', code: '17-3023.00', title: 'Electrical Engineering Technologist' },
];

/**
 * Categories close enough that a posting of one is a fair second choice for a resume of another. A
 * category may sit in several groups; two categories are siblings when some group holds both.
 */
export const CATEGORY_SIBLINGS: readonly (readonly string[])[] = [
  ['Java Developer', 'Python Developer', 'DotNet Developer', 'SAP Developer', 'Blockchain', 'Web Designing'],
  ['Testing', 'Automation Testing'],
  ['Hadoop', 'ETL Developer', 'Database', 'Data Science'],
  ['DevOps Engineer', 'Network Security Engineer'],
  ['PMO', 'Operations Manager', 'Business Analyst'],
  ['Civil Engineer', 'Mechanical Engineer', 'Electrical Engineering'],
  ['Arts', 'Web Designing'],
];

/** 2 for the same category, 1 for a sibling, 0 otherwise. */
export function categoryGain(a: string, b: string): 0 | 1 | 2 {
  if (a === b) return 2;
  return CATEGORY_SIBLINGS.some((group) => group.includes(a) && group.includes(b)) ? 1 : 0;
}

/** Responsibilities and requirements per posting: about what a real posting lists. */
export const TASKS_PER_POSTING = 6;
export const TECHNOLOGIES_PER_POSTING = 10;

export interface OccupationPosting {
  /** `onet-<code>-<n>`, n counting the table's rows: stable while the table only grows at its end. */
  id: string;
  category: string;
  code: string;
  title: string;
  /** Title line, then the occupation's description, responsibilities and requirements. */
  text: string;
}

/** Core tasks first (what O*NET rates critical), in file order within each kind. */
function pickTasks(tasks: readonly OnetTask[]): string[] {
  const rank = (task: OnetTask): number => (task.type === 'Core' ? 0 : 1);
  return [...tasks]
    .map((task, index) => ({ task, index }))
    .sort((a, b) => rank(a.task) - rank(b.task) || a.index - b.index)
    .slice(0, TASKS_PER_POSTING)
    .map(({ task }) => task.task);
}

/** Hot technologies first, in file order within each kind, filtered to the specialisation when it has one. */
function pickTechnologies(
  technologies: readonly { name: string; hot: boolean }[],
  filter?: RegExp,
): string[] {
  return technologies
    .map((technology, index) => ({ technology, index }))
    .filter(({ technology }) => filter === undefined || filter.test(technology.name))
    .sort((a, b) => Number(b.technology.hot) - Number(a.technology.hot) || a.index - b.index)
    .slice(0, TECHNOLOGIES_PER_POSTING)
    .map(({ technology }) => technology.name);
}

/**
 * Builds one posting per row of `CATEGORY_POSTINGS`. Throws `DatasetFormatError` when a code is not in
 * O*NET, a title is not one of its alternate titles, or a posting would have no tasks or technologies:
 * the table must stay true to the data it cites.
 */
export async function loadOccupationPostings(dataDir: string): Promise<OccupationPosting[]> {
  const [occupations, tasks, titles] = await Promise.all([
    loadOnetOccupations(dataDir),
    loadOnetTasks(dataDir),
    loadOnetAlternateTitles(dataDir),
  ]);
  const occupationByCode = new Map(occupations.map((occupation) => [occupation.code, occupation]));
  const titleKeys = new Set(titles.map(({ code, title }) => `${code}\t${title}`));
  return CATEGORY_POSTINGS.map((spec, index): OccupationPosting => {
    const occupation = occupationByCode.get(spec.code);
    if (!occupation) throw new DatasetFormatError(dataDir, `no O*NET occupation ${spec.code}`);
    if (!titleKeys.has(`${spec.code}\t${spec.title}`)) {
      throw new DatasetFormatError(dataDir, `${JSON.stringify(spec.title)} is not a title of ${spec.code}`);
    }
    const responsibilities = pickTasks(tasks.filter((task) => task.code === spec.code));
    const requirements = pickTechnologies(occupation.technologies, spec.technologies);
    if (responsibilities.length === 0 || requirements.length === 0) {
      throw new DatasetFormatError(dataDir, `${spec.code} has no tasks or no matching technologies`);
    }
    // "ETL Developer (Extract-Transform-Load Developer)": the parenthesis spells out the title, which a
    // posting's title line would not.
    const title = [spec.prefix, spec.title.replace(/\s*\(.*\)$/, '')].filter(Boolean).join(' ');
    const text = [
      title,
      '',
      occupation.description,
      '',
      'Responsibilities:',
      ...responsibilities.map((task) => `- ${task}`),
      '',
      'Requirements:',
      ...requirements.map((technology) => `- Experience with ${technology}`),
    ].join('\n');
    return { id: `onet-${spec.code}-${index + 1}`, category: spec.category, code: spec.code, title, text };
  });
}

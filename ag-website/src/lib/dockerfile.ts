/**
 * The Dockerfile editor's form: the common parts of a sandbox image's Dockerfile (base image,
 * Debian packages, working directory, environment, custom lines) written out as a Dockerfile,
 * templates to start from, and templates as JSON files (export/import).
 */

export interface DockerfileForm {
  base: string;
  packages: string;
  workdir: string;
  env: string;
  custom: string;
}

export interface ImageTemplate {
  name: string;
  description: string;
  form: DockerfileForm;
}

export const DEFAULT_BASE = 'ag-sandbox-default:latest';

const NAME = /^[a-z0-9][a-z0-9+.-]*$/;

/** Package names, one per word; anything that isn't a Debian package name is dropped. */
export function packageList(text: string): string[] {
  return text.split(/[\s,]+/).filter((p) => NAME.test(p));
}

/** `KEY=value` lines; others are ignored. */
export function envPairs(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as [string, string];
    });
}

const quote = (value: string): string => JSON.stringify(value);

/**
 * The Dockerfile the form describes. Packages are installed as root, then the image goes back
 * to the sandbox's own user setup (the default image's `autograder` user is kept).
 */
export function renderDockerfile(form: DockerfileForm): string {
  const lines = [`FROM ${form.base.trim() || DEFAULT_BASE}`];
  const packages = packageList(form.packages);
  if (packages.length) {
    lines.push(
      'USER root',
      'RUN apt-get update \\',
      `    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')} \\`,
      '    && rm -rf /var/lib/apt/lists/*',
    );
  }
  for (const [key, value] of envPairs(form.env)) lines.push(`ENV ${key}=${quote(value)}`);
  if (form.workdir.trim()) lines.push(`WORKDIR ${form.workdir.trim()}`);
  const custom = form.custom.trim();
  if (custom) lines.push(custom);
  return `${lines.join('\n')}\n`;
}

const template = (name: string, description: string, packages: string, env = '', custom = ''): ImageTemplate => ({
  name,
  description,
  form: { base: DEFAULT_BASE, packages, workdir: '', env, custom },
});

export const TEMPLATES: ImageTemplate[] = [
  template('Python', 'Python 3 with pytest and NumPy (Debian packages).', 'python3-pytest python3-numpy'),
  template('C/C++', 'gcc, g++, make, CMake and Valgrind.', 'build-essential cmake valgrind'),
  template('Java', 'OpenJDK 17 (headless) and JUnit 5.', 'openjdk-17-jdk-headless junit5', 'JAVA_TOOL_OPTIONS=-Xss4m'),
  template('Node.js', 'Node.js and npm from Debian.', 'nodejs npm'),
];

/** A template as a JSON file's text (what "Export" downloads). */
export function exportTemplate(name: string, form: DockerfileForm): string {
  return `${JSON.stringify({ name, description: '', form }, null, 2)}\n`;
}

/** A template read back from JSON, or an error message naming what is wrong. */
export function importTemplate(text: string): ImageTemplate | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'This file is not JSON.';
  }
  if (typeof data !== 'object' || data === null) return 'A template is a JSON object.';
  const record = data as Record<string, unknown>;
  const form = record.form as Record<string, unknown> | undefined;
  if (typeof record.name !== 'string' || typeof form !== 'object' || form === null) {
    return 'A template needs a "name" and a "form".';
  }
  const fields: (keyof DockerfileForm)[] = ['base', 'packages', 'workdir', 'env', 'custom'];
  const bad = fields.find((f) => form[f] !== undefined && typeof form[f] !== 'string');
  if (bad) return `"form.${bad}" must be text.`;
  const read = (f: keyof DockerfileForm): string => (typeof form[f] === 'string' ? (form[f] as string) : '');
  return {
    name: record.name,
    description: typeof record.description === 'string' ? record.description : '',
    form: { base: read('base') || DEFAULT_BASE, packages: read('packages'), workdir: read('workdir'), env: read('env'), custom: read('custom') },
  };
}

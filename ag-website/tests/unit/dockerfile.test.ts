import { describe, expect, it } from 'vitest';
import { TEMPLATES, exportTemplate, importTemplate, renderDockerfile } from '@/lib/dockerfile';

describe('renderDockerfile', () => {
  it('writes the base, the Debian packages, environment, working directory and custom lines', () => {
    const text = renderDockerfile({
      base: 'ag-sandbox-default:latest',
      packages: 'openjdk-17-jdk-headless, junit5 ; $(reboot)',
      workdir: '/opt/tools',
      env: 'JAVA_HOME=/usr/lib/jvm\nnot a pair',
      custom: 'RUN echo hi',
    });
    expect(text).toBe(
      [
        'FROM ag-sandbox-default:latest',
        'USER root',
        'RUN apt-get update \\',
        '    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless junit5 \\',
        '    && rm -rf /var/lib/apt/lists/*',
        'ENV JAVA_HOME="/usr/lib/jvm"',
        'WORKDIR /opt/tools',
        'RUN echo hi',
        '',
      ].join('\n'),
    );
  });

  it('starts every template from the default image', () => {
    expect(TEMPLATES.map((t) => t.name)).toEqual(['Python', 'C/C++', 'Java', 'Node.js']);
    for (const t of TEMPLATES) expect(renderDockerfile(t.form)).toMatch(/^FROM ag-sandbox-default:latest\n/);
  });
});

describe('templates as JSON', () => {
  it('reads back what it exports', () => {
    const form = TEMPLATES[0]!.form;
    expect(importTemplate(exportTemplate('Mine', form))).toEqual({ name: 'Mine', description: '', form });
  });

  it('names what is wrong with a bad file', () => {
    expect(importTemplate('{')).toBe('This file is not JSON.');
    expect(importTemplate('{"name": "x"}')).toBe('A template needs a "name" and a "form".');
    expect(importTemplate('{"name": "x", "form": {"packages": 3}}')).toBe('"form.packages" must be text.');
  });
});

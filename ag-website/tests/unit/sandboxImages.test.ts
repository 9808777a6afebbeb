import { describe, expect, it } from 'vitest';
import { sandboxImageOptions } from '@/lib/sandboxImages';

const offered = {
  default_image: 'ag-sandbox-default:latest',
  images: ['ag-sandbox-default:latest', 'ag-java:21'],
  options: [
    { reference: 'ag-sandbox-default:latest', display_name: 'ag-sandbox-default:latest', runtime: 'runc' },
    { reference: 'ag-java:21', display_name: 'ag-java:21', runtime: 'runc' },
  ],
};

describe('sandboxImageOptions', () => {
  it('offers the site default (empty) first, then the images the site lists', () => {
    expect(sandboxImageOptions(offered, '')).toEqual([
      { value: '', label: 'Site default (ag-sandbox-default:latest)' },
      { value: 'ag-sandbox-default:latest', label: 'ag-sandbox-default:latest' },
      { value: 'ag-java:21', label: 'ag-java:21' },
    ]);
  });

  it('keeps a stored image the site stopped offering, marked as such', () => {
    const options = sandboxImageOptions(offered, 'gcc:14');
    expect(options.at(-1)).toEqual({ value: 'gcc:14', label: 'gcc:14 (not offered by this site)' });
    expect(options).toHaveLength(4);
  });

  it('shows the current image unmarked while the list is loading', () => {
    expect(sandboxImageOptions(null, 'ag-java:21')).toEqual([
      { value: '', label: 'Site default' },
      { value: 'ag-java:21', label: 'ag-java:21' },
    ]);
  });

  it("names the course's own images and marks those running under gVisor", () => {
    const withOptions = {
      ...offered,
      images: ['ag-sandbox-default:latest', 'ag-img-1a2b'],
      options: [
        { reference: 'ag-sandbox-default:latest', display_name: 'ag-sandbox-default:latest', runtime: 'runc' },
        { reference: 'ag-img-1a2b', display_name: 'Java 17', runtime: 'runsc' },
      ],
    };
    expect(sandboxImageOptions(withOptions, '').slice(1)).toEqual([
      { value: 'ag-sandbox-default:latest', label: 'ag-sandbox-default:latest' },
      { value: 'ag-img-1a2b', label: 'Java 17 (gVisor)' },
    ]);
  });
});

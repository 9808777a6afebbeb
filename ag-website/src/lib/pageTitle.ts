/**
 * Each page's browser title (what tabs, history and screen readers announce): the page, then
 * what it is about once known ("Project admin: P1 Stats"), then the site. Routes not listed
 * here are named from their route name ("project-handgrading" → "Project handgrading").
 */
export const SITE_NAME = 'Autograder';

const ROUTE_TITLES: Record<string, string> = {
  login: 'Log in',
  'forgot-password': 'Forgot password',
  'set-password': 'Set your password',
  tokens: 'API tokens',
  notifications: 'Notifications',
  users: 'Users',
  'lti-platforms': 'LTI platforms',
  monitor: 'Live monitor',
  'new-course': 'New course',
  courses: 'My courses',
  course: 'Course',
  'course-admin': 'Course admin',
  project: 'Project',
  submission: 'Submission',
  'project-admin': 'Project admin',
  'not-found': 'Page not found',
};

export function routeTitle(routeName: string | null | undefined): string {
  if (!routeName) return SITE_NAME;
  const known = ROUTE_TITLES[routeName];
  if (known) return known;
  const words = routeName.replace(/[-_]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Project admin: P1 Stats · Autograder"; without a subject, "Project admin · Autograder". */
export function pageTitle(routeName: string | null | undefined, subject?: string | null): string {
  const page = routeTitle(routeName);
  if (page === SITE_NAME) return SITE_NAME;
  return `${subject ? `${page}: ${subject}` : page} · ${SITE_NAME}`;
}

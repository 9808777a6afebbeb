import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { useSession } from '@/composables/useSession';
import { pageTitle } from '@/lib/pageTitle';

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('@/pages/ForgotPasswordPage.vue'), meta: { public: true } },
  {
    path: '/set-password/:uid/:token',
    name: 'set-password',
    component: () => import('@/pages/SetPasswordPage.vue'),
    props: (r) => ({ uid: String(r.params.uid), token: String(r.params.token) }),
    meta: { public: true },
  },
  { path: '/account/tokens', name: 'tokens', component: () => import('@/pages/TokensPage.vue') },
  { path: '/account/notifications', name: 'notifications', component: () => import('@/pages/NotificationsPage.vue') },
  // Not under /admin/: that is Django's admin site, which would answer a reload there.
  { path: '/users', name: 'users', component: () => import('@/pages/UsersPage.vue') },
  { path: '/lms', name: 'lti-platforms', component: () => import('@/pages/LtiPlatformsPage.vue') },
  { path: '/monitor', name: 'monitor', component: () => import('@/pages/MonitorPage.vue') },
  { path: '/courses/new', name: 'new-course', component: () => import('@/pages/NewCoursePage.vue') },
  { path: '/', name: 'courses', component: () => import('@/pages/CoursesPage.vue') },
  { path: '/courses/:courseId(\\d+)', name: 'course', component: () => import('@/pages/CoursePage.vue'), props: (r) => ({ courseId: Number(r.params.courseId) }) },
  { path: '/courses/:courseId(\\d+)/admin', name: 'course-admin', component: () => import('@/pages/CourseAdminPage.vue'), props: (r) => ({ courseId: Number(r.params.courseId) }) },
  { path: '/projects/:projectId(\\d+)', name: 'project', component: () => import('@/pages/ProjectPage.vue'), props: (r) => ({ projectId: Number(r.params.projectId) }) },
  {
    path: '/projects/:projectId(\\d+)/submissions/:submissionId(\\d+)',
    name: 'submission',
    component: () => import('@/pages/SubmissionPage.vue'),
    props: (r) => ({ projectId: Number(r.params.projectId), submissionId: Number(r.params.submissionId) }),
  },
  { path: '/projects/:projectId(\\d+)/handgrading', name: 'handgrading', component: () => import('@/pages/HandgradingPage.vue'), props: (r) => ({ projectId: Number(r.params.projectId) }) },
  {
    path: '/projects/:projectId(\\d+)/handgrading/groups/:groupId(\\d+)',
    name: 'handgrading-group',
    component: () => import('@/pages/HandgradingGroupPage.vue'),
    props: (r) => ({ projectId: Number(r.params.projectId), groupId: Number(r.params.groupId) }),
  },
  { path: '/projects/:projectId(\\d+)/admin', name: 'project-admin', component: () => import('@/pages/ProjectAdminPage.vue'), props: (r) => ({ projectId: Number(r.params.projectId) }) },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { public: true } },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const session = useSession();
  try {
    const me = await session.ensureLoaded();
    if (me === null) return { name: 'login', query: { next: to.fullPath } };
  } catch {
    // The API is unreachable: let the page load and show its own error.
  }
  return true;
});

// Every page has its own title; pages that load their subject add it (usePageTitle).
router.afterEach((to) => {
  document.title = pageTitle(typeof to.name === 'string' ? to.name : null);
});

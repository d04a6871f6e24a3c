/**
 * Every endpoint of flaretrack, declared once: the TypeScript form of MLflow's `get_endpoints()`.
 * From these declarations come the Hono mounts (in this order: where two paths overlap, the
 * first declared answers), the middleware each route runs (`mount.ts`), what a `read_api` token
 * may do, the shape errors take, and the links the UI and the APIs build (`route.link(params)`).
 *
 * To add an endpoint: declare it here, then write its handler with `.on(routes.x.y, handler)`.
 */
import { ANONYMOUS_FORM_BODY, LOG_BATCH_BODY, tooLargeOver } from './body-bounds';
import { declare, pathLink, type Declaration, type Method } from './route';

type Methods = Method | readonly Method[];

const GET_POST = ['GET', 'POST'] as const;

// Declared below in the order Hono tries them.
const API = '/api/v4';
const PROJECT_API = `${API}/projects/:id`;
const MLFLOW = `${PROJECT_API}/ml/mlflow`;
const MLFLOW_API = `${MLFLOW}/api/2.0/mlflow`;
const MLFLOW_API_V3 = `${MLFLOW}/api/3.0/mlflow`;
const ARTIFACTS_API = `${MLFLOW}/api/2.0/mlflow-artifacts`;
const PROJECT_UI = '/:namespace/:project';
const EXPERIMENTS_UI = `${PROJECT_UI}/-/ml/experiments`;
const CANDIDATES_UI = `${PROJECT_UI}/-/ml/candidates`;
const MODELS_UI = `${PROJECT_UI}/-/ml/models`;
const PACKAGES_UI = `${PROJECT_UI}/-/packages`;

/** A GitLab-shaped endpoint under /api/v4. */
const gitlab = <P extends string>(m: Methods, path: P, d?: Declaration) => declare('gitlab', m, `${API}${path}` as `${typeof API}${P}`, d);

/** An MLflow endpoint under the project's /api/2.0/mlflow: a signed-in caller, read_ml and the flag unless stated. */
const mlflow = <P extends string>(m: Methods, path: P, d: Declaration = {}) =>
  declare('mlflow', m, `${MLFLOW_API}${path}` as `${typeof MLFLOW_API}${P}`, { signedIn: true, ability: 'read_ml', ml: true, ...d });
/** An MLflow write: write_ml. */
const mlflowWrite = <P extends string>(m: Methods, path: P, d: Declaration = {}) => mlflow(m, path, { ability: 'write_ml', ...d });
/** An MLflow 3 endpoint under the project's /api/3.0/mlflow. */
const mlflowV3 = <P extends string>(m: Methods, path: P, d: Declaration = {}) =>
  declare('mlflow', m, `${MLFLOW_API_V3}${path}` as `${typeof MLFLOW_API_V3}${P}`, { signedIn: true, ability: 'read_ml', ml: true, ...d });
/** An MLflow artifacts endpoint under the project's /api/2.0/mlflow-artifacts. */
const artifacts = <P extends string>(m: Methods, path: P, d: Declaration = {}) =>
  declare('mlflow', m, `${ARTIFACTS_API}${path}` as `${typeof ARTIFACTS_API}${P}`, { signedIn: true, ability: 'read_ml', ml: true, ...d });

/** A UI page or form: a signed-in visitor; under a project, read_ml (else 404). */
const html = <P extends string>(m: Methods, path: P, d: Declaration = {}) => declare('html', m, path, { signedIn: true, ...d });
/** An ML page of a project: read_ml and the flag. */
const mlPage = <P extends string>(m: Methods, path: P, d: Declaration = {}) => html(m, path, { ability: 'read_ml', ml: true, ...d });
/** An ML form of a project: write_ml. */
const mlForm = <P extends string>(m: Methods, path: P) => mlPage(m, path, { ability: 'write_ml' });

/** A project's MLflow tracking URI path (what `MLFLOW_TRACKING_URI` ends with): every MLflow route is under it. */
export const mlflowTrackingPath = (projectId: number) => pathLink(MLFLOW)({ id: projectId });

/** The declared routes. */
export const routes = {
  // Ahead of the pages: `/:namespace/:project` would match them too.
  health: {
    /** The Worker answers (GitLab's path). */
    liveness: declare('gitlab', 'GET', '/-/liveness'),
    /** D1, R2 and KV answer. */
    readiness: declare('gitlab', 'GET', '/-/readiness'),
  },
  gitlab: {
    currentUser: gitlab('GET', '/user', { signedIn: true }),
    users: gitlab('GET', '/users', { signedIn: true }),
    createUser: gitlab('POST', '/users', { signedIn: true }),
    user: gitlab('GET', '/users/:id', { signedIn: true }),
    blockUser: gitlab('POST', '/users/:id/block', { signedIn: true }),
    unblockUser: gitlab('POST', '/users/:id/unblock', { signedIn: true }),
    deleteUser: gitlab('DELETE', '/users/:id', { signedIn: true }),
    createToken: gitlab('POST', '/users/:id/personal_access_tokens', { signedIn: true }),
    tokens: gitlab('GET', '/personal_access_tokens', { signedIn: true }),
    revokeToken: gitlab('DELETE', '/personal_access_tokens/:id', { signedIn: true }),
    features: gitlab('GET', '/features', { signedIn: true, admin: true }),
    setFeature: gitlab('POST', '/features/:name', { signedIn: true, admin: true }),
    deleteFeature: gitlab('DELETE', '/features/:name', { signedIn: true, admin: true }),
  },
  mlflow: {
    experiments: {
      create: mlflowWrite('POST', '/experiments/create'),
      get: mlflow('GET', '/experiments/get'),
      getByName: mlflow('GET', '/experiments/get-by-name'),
      search: mlflow(GET_POST, '/experiments/search', { readOnly: true }),
      update: mlflowWrite('POST', '/experiments/update'),
      delete: mlflowWrite('POST', '/experiments/delete'),
      restore: mlflowWrite('POST', '/experiments/restore'),
      setTag: mlflowWrite('POST', '/experiments/set-experiment-tag'),
      deleteTag: mlflowWrite('POST', '/experiments/delete-experiment-tag'),
    },
    runs: {
      create: mlflowWrite('POST', '/runs/create'),
      get: mlflow('GET', '/runs/get'),
      update: mlflowWrite('POST', '/runs/update'),
      delete: mlflowWrite('POST', '/runs/delete'),
      restore: mlflowWrite('POST', '/runs/restore'),
      search: mlflow(GET_POST, '/runs/search', { readOnly: true }),
      logMetric: mlflowWrite('POST', '/runs/log-metric'),
      logParameter: mlflowWrite('POST', '/runs/log-parameter'),
      logBatch: mlflowWrite('POST', '/runs/log-batch', { body: LOG_BATCH_BODY }),
      setTag: mlflowWrite('POST', '/runs/set-tag'),
      deleteTag: mlflowWrite('POST', '/runs/delete-tag'),
      // a dataset's schema may hold MLflow's 1,048,575 characters, escaped in the JSON around it
      logInputs: mlflowWrite('POST', '/runs/log-inputs', { body: tooLargeOver(4 * 1024 * 1024) }),
      logOutputs: mlflowWrite('POST', '/runs/outputs'),
    },
    metrics: {
      history: mlflow('GET', '/metrics/get-history'),
      historyBulkInterval: mlflow('GET', '/metrics/get-history-bulk-interval'),
    },
    loggedModels: {
      create: mlflowWrite('POST', '/logged-models'),
      search: mlflow('POST', '/logged-models/search', { readOnly: true }),
      get: mlflow('GET', '/logged-models/:model_id'),
      finalize: mlflowWrite('PATCH', '/logged-models/:model_id'),
      delete: mlflowWrite('DELETE', '/logged-models/:model_id'),
      logParams: mlflowWrite('POST', '/logged-models/:model_id/params'),
      setTags: mlflowWrite('PATCH', '/logged-models/:model_id/tags'),
      deleteTag: mlflowWrite('DELETE', '/logged-models/:model_id/tags/:tag_key'),
      deleteTagByQuery: mlflowWrite('DELETE', '/logged-models/:model_id/tags'),
    },
    registeredModels: {
      create: mlflowWrite('POST', '/registered-models/create'),
      get: mlflow('GET', '/registered-models/get'),
      rename: mlflowWrite('POST', '/registered-models/rename'),
      update: mlflowWrite('PATCH', '/registered-models/update'),
      delete: mlflowWrite('DELETE', '/registered-models/delete'),
      search: mlflow(GET_POST, '/registered-models/search', { readOnly: true }),
      setTag: mlflowWrite('POST', '/registered-models/set-tag'),
      deleteTag: mlflowWrite('DELETE', '/registered-models/delete-tag'),
      setAlias: mlflowWrite('POST', '/registered-models/alias'),
      getByAlias: mlflow('GET', '/registered-models/alias'),
      deleteAlias: mlflowWrite('DELETE', '/registered-models/alias'),
      // the client POSTs it first, then GETs it: it only reads
      latestVersions: mlflow(GET_POST, '/registered-models/get-latest-versions', { readOnly: true }),
    },
    modelVersions: {
      create: mlflowWrite('POST', '/model-versions/create'),
      get: mlflow('GET', '/model-versions/get'),
      update: mlflowWrite('PATCH', '/model-versions/update'),
      delete: mlflowWrite('DELETE', '/model-versions/delete'),
      search: mlflow(GET_POST, '/model-versions/search', { readOnly: true }),
      setTag: mlflowWrite('POST', '/model-versions/set-tag'),
      deleteTag: mlflowWrite('DELETE', '/model-versions/delete-tag'),
      transitionStage: mlflowWrite('POST', '/model-versions/transition-stage'),
      downloadUri: mlflow('GET', '/model-versions/get-download-uri'),
    },
    traces: {
      start: mlflowV3('POST', '/traces', { ability: 'write_ml' }),
      search: mlflowV3('POST', '/traces/search', { readOnly: true }),
      get: mlflowV3('GET', '/traces/:trace_id'),
      createAssessment: mlflowV3('POST', '/traces/:trace_id/assessments', { ability: 'write_ml' }),
      getAssessment: mlflowV3('GET', '/traces/:trace_id/assessments/:assessment_id'),
      updateAssessment: mlflowV3('PATCH', '/traces/:trace_id/assessments/:assessment_id', { ability: 'write_ml' }),
      deleteAssessment: mlflowV3('DELETE', '/traces/:trace_id/assessments/:assessment_id', { ability: 'write_ml' }),
      setTag: mlflowWrite('PATCH', '/traces/:trace_id/tags'),
      deleteTag: mlflowWrite('DELETE', '/traces/:trace_id/tags'),
      delete: mlflowWrite('POST', '/traces/delete-traces'),
      linkToRun: mlflowWrite('POST', '/traces/link-to-run'),
      linkPrompts: mlflowWrite('POST', '/traces/link-prompts'),
      // Ahead of the packages' artifacts: `ml_traces` is no package (`ml_` names are reserved).
      /** A trace's spans and attachments: `link({ id }, '<trace id>/<path>')` (the trace id URL-encoded). */
      file: artifacts('GET', '/artifacts/ml_traces/*'),
      upload: artifacts('PUT', '/artifacts/ml_traces/*', { ability: 'write_ml', body: 'stream' }),
    },
    artifacts: {
      // A part URL carries its own signed credential (the client sends no token): no actor, and
      // the handler checks the flag itself.
      uploadPart: artifacts('PUT', '/mpu/parts/:upload_id/:part_number', { signedIn: false, ability: undefined, ml: false, body: 'stream' }),
      listRoot: artifacts('GET', '/artifacts'),
      /** The artifacts root and what is under it: `link({ id }, '<package>/<version>/<path>')`. */
      file: artifacts('GET', '/artifacts/*'),
      upload: artifacts('PUT', '/artifacts/*', { ability: 'write_ml', body: 'stream' }),
      delete: artifacts('DELETE', '/artifacts/*', { ability: 'write_ml' }),
      createUpload: artifacts('POST', '/mpu/create/*', { ability: 'write_ml' }),
      completeUpload: artifacts('POST', '/mpu/complete/*', { ability: 'write_ml' }),
      abortUpload: artifacts('POST', '/mpu/abort/*', { ability: 'write_ml' }),
    },
    /**
     * The tracking URI's root, where the links the MLflow client prints lead (`<uri>/#/experiments/1/runs/<id>`):
     * a page that only hands the fragment (which never reaches the server) to `ui.openMlflowLink`.
     * Anyone may load it; it shows nothing of the project. With and without the trailing slash.
     */
    home: declare('html', 'GET', `${MLFLOW}/`),
    homeBare: declare('html', 'GET', MLFLOW),
    /** Anything else under the project's MLflow prefix: ENDPOINT_NOT_FOUND, once the caller may see the project. */
    unknown: declare('mlflow', 'ALL', `${MLFLOW}/*`, { signedIn: true, ability: 'read_ml', ml: true }),
  },
  packagesApi: {
    upload: gitlab('PUT', '/projects/:id/packages/generic/*', { signedIn: true, ability: 'write_ml', body: 'stream' }),
    download: gitlab('GET', '/projects/:id/packages/generic/*', { signedIn: true, ability: 'read_ml' }),
    list: gitlab('GET', '/projects/:id/packages', { signedIn: true, ability: 'read_ml' }),
    get: gitlab('GET', '/projects/:id/packages/:package_id{[0-9]+}', { signedIn: true, ability: 'read_ml' }),
    files: gitlab('GET', '/projects/:id/packages/:package_id{[0-9]+}/package_files', { signedIn: true, ability: 'read_ml' }),
    delete: gitlab('DELETE', '/projects/:id/packages/:package_id{[0-9]+}', { signedIn: true, ability: 'write_ml' }),
    deleteFile: gitlab('DELETE', '/projects/:id/packages/:package_id{[0-9]+}/package_files/:file_id', { signedIn: true, ability: 'write_ml' }),
  },
  projectsApi: {
    list: gitlab('GET', '/projects', { signedIn: true }),
    create: gitlab('POST', '/projects', { signedIn: true }),
    get: gitlab('GET', '/projects/:id', { ability: 'read_project' }),
    update: gitlab('PUT', '/projects/:id', { ability: 'admin_project' }),
    delete: gitlab('DELETE', '/projects/:id', { ability: 'admin_project' }),
    members: gitlab('GET', '/projects/:id/members', { ability: 'read_project' }),
    addMember: gitlab('POST', '/projects/:id/members', { ability: 'admin_members' }),
    updateMember: gitlab('PUT', '/projects/:id/members/:user_id', { ability: 'admin_members' }),
    removeMember: gitlab('DELETE', '/projects/:id/members/:user_id', { ability: 'admin_members' }),
    /** Anything else under /api: GitLab's 404. */
    unknown: declare('gitlab', 'ALL', '/api/*'),
  },
  ui: {
    signIn: html('GET', '/-/sign_in', { signedIn: false }),
    submitSignIn: html('POST', '/-/sign_in', { signedIn: false, body: ANONYMOUS_FORM_BODY }),
    signOut: html('POST', '/-/sign_out', { signedIn: false, body: ANONYMOUS_FORM_BODY }),
    activeSessions: html('GET', '/-/user_settings/active_sessions'),
    revokeSession: html('POST', '/-/user_settings/active_sessions/:id/revoke'),
    projects: html('GET', '/'),
    /** Where an MLflow UI address lands (`?to=` the fragment): the project by id or URL-encoded path; redirects to its page. */
    openMlflowLink: mlPage('GET', '/-/ml/open/:id'),
    project: html('GET', PROJECT_UI, { ability: 'read_ml' }),

    newExperiment: mlForm('GET', `${EXPERIMENTS_UI}/new`),
    createExperiment: mlForm('POST', `${EXPERIMENTS_UI}/new`),
    editExperiment: mlForm('GET', `${EXPERIMENTS_UI}/:iid/edit`),
    renameExperiment: mlForm('POST', `${EXPERIMENTS_UI}/:iid/rename`),
    describeExperiment: mlForm('POST', `${EXPERIMENTS_UI}/:iid/description`),
    deleteExperiment: mlForm('POST', `${EXPERIMENTS_UI}/:iid/delete`),
    restoreExperiment: mlForm('POST', `${EXPERIMENTS_UI}/:iid/restore`),
    experiments: mlPage('GET', EXPERIMENTS_UI),
    experiment: mlPage('GET', `${EXPERIMENTS_UI}/:iid`),
    candidatesCsv: mlPage('GET', `${EXPERIMENTS_UI}/:iid/candidates.csv`),
    // remembering a view's columns only reads the experiment; any reader may
    candidateColumns: mlPage('POST', `${EXPERIMENTS_UI}/:iid/columns`),
    compare: mlPage('GET', `${EXPERIMENTS_UI}/:iid/compare`),
    sweep: mlPage('GET', `${EXPERIMENTS_UI}/:iid/sweep`),
    experimentTraces: mlPage('GET', `${EXPERIMENTS_UI}/:iid/traces`),
    trace: mlPage('GET', `${PROJECT_UI}/-/ml/traces/:trace_id`),
    /** A logged model (MLflow 3) by its id `m-…`; `?path=`/`?file=` browse its files. */
    loggedModel: mlPage('GET', `${PROJECT_UI}/-/ml/logged-models/:model_id`),

    editCandidate: mlForm('GET', `${CANDIDATES_UI}/:candidate_id/edit`),
    updateCandidate: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/edit`),
    setCandidateTag: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/tags`),
    deleteCandidateTag: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/tags/delete`),
    deleteCandidate: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/delete`),
    restoreCandidate: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/restore`),
    deletedCandidate: mlPage('GET', `${CANDIDATES_UI}/:candidate_id/deleted`),
    destroyCandidateConfirm: mlForm('GET', `${CANDIDATES_UI}/:candidate_id/destroy`),
    destroyCandidate: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/destroy`),
    candidateLive: mlPage('GET', `${CANDIDATES_UI}/:candidate_id/live`),
    candidateRow: mlPage('GET', `${CANDIDATES_UI}/:candidate_id/row`),
    candidateMetrics: mlPage('GET', `${CANDIDATES_UI}/:candidate_id/metrics.json`),
    candidate: mlPage('GET', `${CANDIDATES_UI}/:candidate_id`),
    promoteCandidateForm: mlForm('GET', `${CANDIDATES_UI}/:candidate_id/promote`),
    promoteCandidate: mlForm('POST', `${CANDIDATES_UI}/:candidate_id/promote`),

    modelVersion: mlPage('GET', `${MODELS_UI}/:name/versions/:version`),
    describeModelVersion: mlForm('POST', `${MODELS_UI}/:name/versions/:version/description`),
    setModelVersionTag: mlForm('POST', `${MODELS_UI}/:name/versions/:version/tags`),
    deleteModelVersionTag: mlForm('POST', `${MODELS_UI}/:name/versions/:version/tags/delete`),
    setModelVersionAlias: mlForm('POST', `${MODELS_UI}/:name/versions/:version/aliases`),
    deleteModelVersionAlias: mlForm('POST', `${MODELS_UI}/:name/versions/:version/aliases/delete`),
    deleteModelVersionConfirm: mlForm('GET', `${MODELS_UI}/:name/versions/:version/delete`),
    deleteModelVersion: mlForm('POST', `${MODELS_UI}/:name/versions/:version/delete`),
    /** Versions of one model side by side: `?versions=1,2`. */
    compareModelVersions: mlPage('GET', `${MODELS_UI}/:name/compare`),
    models: mlPage('GET', MODELS_UI),
    createModel: mlForm('POST', MODELS_UI),
    model: mlPage('GET', `${MODELS_UI}/:name`),
    describeModel: mlForm('POST', `${MODELS_UI}/:name/description`),
    setModelTag: mlForm('POST', `${MODELS_UI}/:name/tags`),
    deleteModelTag: mlForm('POST', `${MODELS_UI}/:name/tags/delete`),
    setModelAlias: mlForm('POST', `${MODELS_UI}/:name/aliases`),
    deleteModelAlias: mlForm('POST', `${MODELS_UI}/:name/aliases/delete`),
    deleteModelConfirm: mlForm('GET', `${MODELS_UI}/:name/delete`),
    deleteModel: mlForm('POST', `${MODELS_UI}/:name/delete`),

    packages: html('GET', PACKAGES_UI, { ability: 'read_ml' }),
    package: html('GET', `${PACKAGES_UI}/:package_id`, { ability: 'read_ml' }),
    packageDownload: html('GET', `${PACKAGES_UI}/:package_id/download`, { ability: 'read_ml' }),
  },
};

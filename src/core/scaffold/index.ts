export { parseTemplate, type ManifestInput } from './manifest.js';
export { serviceNameProblem } from './names.js';
export { renderTemplate, resolveVars, type Rendered, type RouteBlock } from './render.js';
export { editProjectText, type EditResult, type Insertion, type ProjectEdit } from './edit-project.js';
export { planScaffold, type ScaffoldPlan, type ScaffoldRequest } from './plan.js';
export { portsInUse, nextFreePort } from './ports.js';
export {
  MANIFEST_FILE,
  type RenderedFile,
  type Template,
  type TemplateFile,
  type TemplateManifest,
} from './types.js';

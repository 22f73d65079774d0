export { FakeClock } from './clock.js';
export { FakeNet, type FakeNetAnswer, type FakeNetCall } from './net.js';
export { FakeDocker, type FakeExecAnswer } from './docker.js';
export { FakeRuntime, type FakeServiceScript } from './runtime.js';

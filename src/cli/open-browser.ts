import { spawn } from 'node:child_process';

/**
 * Opens `url` with the desktop's opener (xdg-open, open, start). False when there is none, or no
 * display to open it on (a server, CI, a container).
 */
export function openInBrowser(url: string): Promise<boolean> {
  const platform = process.platform;
  if (platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'])
    return Promise.resolve(false);
  const [cmd, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

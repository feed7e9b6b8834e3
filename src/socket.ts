/**
 * Closing a WebSocket of ours without hearing from it again.
 */

/**
 * Drop `socket`'s handlers and close it (code 1000, `reason`) if it is
 * open or opening; nothing when it is null.
 */
export function closeQuietly(socket: WebSocket | null, reason: string): void {
  if (!socket) {
    return;
  }
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  if (
    socket.readyState === WebSocket.OPEN ||
    socket.readyState === WebSocket.CONNECTING
  ) {
    socket.close(1000, reason);
  }
}

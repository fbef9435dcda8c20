/** A chosen photo's bytes (a browser: the picker hands back a blob: URL). */
export async function photoBytes(tempFilePath: string): Promise<ArrayBuffer> {
  return (await fetch(tempFilePath)).arrayBuffer();
}

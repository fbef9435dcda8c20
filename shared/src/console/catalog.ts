import { z } from 'zod';

/** POST /api/console/pictures: where the uploaded picture is served (detail size), and its list and share sizes. */
export const consolePictureUploadSchema = z.object({ imageUrl: z.string(), listUrl: z.string(), shareUrl: z.string() });
export type ConsolePictureUpload = z.infer<typeof consolePictureUploadSchema>;

import { systemStatusOutput } from "../schema/system.schema.js";
import { permissionProcedure, router } from "../trpc.js";

export const systemRouter = router({
  status: permissionProcedure("system:read")
    .output(systemStatusOutput)
    .query(({ ctx }) => ctx.manager.system.status()),
});

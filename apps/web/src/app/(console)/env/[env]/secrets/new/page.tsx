/** `/env/NAME/secrets/new`: the same page as the native cluster's, which reads its environment from the address (ADR 0020). */
export { default } from "~/app/(console)/secrets/new/page";

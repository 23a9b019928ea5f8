import { type Locator, type Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { fillServiceForm, openServiceForm } from "./support/services.js";
import { type Trpc } from "./support/trpc.js";

/**
 * The task's container and its hardening in the UI (ADR 0019), against a real server
 * whose own node has no engine: a weakened setting flagged in the form as it is chosen
 * and marked on the service's page; a bind mount of the engine's socket refused inline
 * on the field the server names, with nothing created; the runtime policy saved at the
 * settings' version (a change made meanwhile is a conflict, then kept edits are saved);
 * a seccomp profile added, chosen by a service, refused removal while in use, then
 * removed; and the server's own node marked as having no container runtime. Running
 * containers is the real-engine tests' job.
 */

// The server's own node must have no engine, whatever the machine has: an address nothing answers on.
const NO_ENGINE = "unix:///nonexistent/rampart-e2e-no-engine.sock";
test.use({ serverEnv: { DOCKER_HOST: NO_ENGINE } });

/** Waits for a service's own page (not the form at /services/new) after a save. */
async function expectServicePage(page: Page, name: string): Promise<void> {
  await expect(page.getByRole("heading", { name, exact: true, level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/services\/[0-9a-z]{25}$/);
}

/** A card of the page by its heading. */
function card(page: Page, title: string): Locator {
  return page.locator("section", { has: page.getByRole("heading", { name: title, exact: true, level: 2 }) });
}

async function openSwarmSettings(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Swarm settings" }).click();
  await expect(page.getByRole("heading", { name: "Swarm settings", level: 1 })).toBeVisible();
}

async function serviceNames(trpc: Trpc): Promise<string[]> {
  return (await trpc.query<Array<{ name: string }>>("service.list")).map((s) => s.name);
}

test("seccomp unconfined is flagged in the form as it is chosen, recorded, and marked on the service's page", async ({ page, admin, trpc }) => {
  await signIn(page, admin);
  await openServiceForm(page);
  await fillServiceForm(page, { name: "e2e-unconfined", image: "nginx:1.27", replicas: 0 });

  // Secure defaults: nothing flagged, no-new-privileges on, seccomp the engine's.
  const security = card(page, "Security");
  await expect(security.getByText("Secure defaults")).toBeVisible();
  await expect(page.getByTestId("weakened-flag")).toHaveCount(0);
  await expect(page.getByTestId("weakened-summary")).toHaveCount(0);
  await expect(security.getByLabel("No new privileges")).toBeChecked();
  await expect(security.getByRole("radio", { name: /^Default/ })).toBeChecked();

  await security.getByRole("radio", { name: /^Unconfined/ }).check();
  const flag = security.getByTestId("weakened-flag");
  await expect(flag).toHaveCount(1);
  await expect(flag).toContainText("seccomp unconfined: every system call allowed");
  await expect(security.getByText("1 protection given up")).toBeVisible();
  await expect(page.getByTestId("weakened-summary")).toContainText("seccomp unconfined: every system call allowed");

  // Back to the default and the flag goes; unconfined again for the save.
  await security.getByRole("radio", { name: /^Default/ }).check();
  await expect(page.getByTestId("weakened-flag")).toHaveCount(0);
  await security.getByRole("radio", { name: /^Unconfined/ }).check();
  await page.getByRole("button", { name: "Create service" }).click();
  await expectServicePage(page, "e2e-unconfined");

  const seccomp = page.getByTestId("security-seccomp");
  await expect(seccomp).toHaveAttribute("data-weakened", "true");
  await expect(seccomp).toContainText("unconfined");
  await expect(seccomp.getByTestId("weakened-flag")).toContainText("seccomp unconfined");
  await expect(card(page, "Security").getByText("1 protection given up")).toBeVisible();
  // What stayed at its default is not marked.
  await expect(page.getByTestId("security-no-new-privileges")).toContainText("on");
  await expect(page.getByTestId("security-no-new-privileges")).not.toHaveAttribute("data-weakened", "true");

  // The audit event says what the spec gives up.
  const audit = await trpc.query<{ events: Array<{ action: string; reason: string | null }> }>("audit.list", { action: "service.create", limit: 5 });
  expect(audit.events[0]?.reason ?? "").toContain("seccomp unconfined");

  // Edited back to the default: the form opens flagged, and saving the defaults takes the weakening away.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Edit e2e-unconfined" })).toBeVisible();
  const editing = card(page, "Security");
  await expect(editing.getByRole("radio", { name: /^Unconfined/ })).toBeChecked();
  await expect(editing.getByTestId("weakened-flag")).toContainText("seccomp unconfined");
  await editing.getByRole("radio", { name: /^Default/ }).check();
  await expect(page.getByTestId("weakened-summary")).toHaveCount(0);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expectServicePage(page, "e2e-unconfined");
  await expect(page.getByTestId("security-seccomp")).toContainText("the engine's default profile");
  await expect(page.getByTestId("security-seccomp")).not.toHaveAttribute("data-weakened", "true");
  await expect(card(page, "Security").getByText("Secure defaults")).toBeVisible();
});

test("a bind mount of the Docker socket is refused inline on its source, and no service is created", async ({ page, admin, trpc }) => {
  const name = "e2e-socket";
  await signIn(page, admin);
  await openServiceForm(page);
  await fillServiceForm(page, { name, image: "alpine:3.20", replicas: 0 });

  await page.getByRole("button", { name: "+ Add mount" }).click();
  await expect(page.getByLabel("Mount 1 type")).toBeFocused();
  await page.getByLabel("Mount 1 type").selectOption("bind");
  await page.getByLabel("Mount 1 source").fill("/var/run/docker.sock");
  await page.getByLabel("Mount 1 target").fill("/var/run/docker.sock");
  const mount = page.getByTestId("mount-row");
  // As it is typed: a weakening, the socket named for what it is, and the policy's answer with the way to it.
  await expect(mount.getByTestId("weakened-flag")).toContainText("host path mounted: /var/run/docker.sock");
  await expect(mount).toContainText("container engine's socket");
  await expect(mount.getByTestId("bind-policy")).toContainText("Not allowed by the runtime policy now");
  await expect(mount.getByRole("link", { name: "Runtime policy" })).toHaveAttribute("href", "/settings/swarm#runtime-policy");

  await page.getByRole("button", { name: "Create service" }).click();
  // The server's refusal, under the field it names (container.mounts[0].source), which takes the focus.
  const source = page.getByLabel("Mount 1 source");
  await expect(mount.getByTestId("mount-error")).toContainText("mounting the container engine's socket /var/run/docker.sock gives the task root on its node");
  await expect(mount.getByTestId("mount-error")).toContainText("Swarm settings → Runtime policy");
  await expect(source).toHaveAttribute("aria-invalid", "true");
  await expect(source).toBeFocused();
  await expect(page).toHaveURL(/\/services\/new$/);

  // Nothing was created: the Services list has no such service.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Services" }).click();
  await expect(page.getByRole("heading", { name: "Services", level: 1 })).toBeVisible();
  await expect(page.getByText("No services yet")).toBeVisible();
  await expect(page.getByTestId(`service-row-${name}`)).toHaveCount(0);
  expect(await serviceNames(trpc)).not.toContain(name);
});

test("the runtime policy is saved at the settings' version: confirmed when it opens the host, a conflict when changed meanwhile", async ({ page, admin, trpc }) => {
  await signIn(page, admin);
  await page.goto("/");
  await openSwarmSettings(page);
  const policy = card(page, "Runtime policy");
  await expect(policy.getByText("Nothing allowed")).toBeVisible();
  await expect(policy.getByText("None: no service may bind-mount a host path.")).toBeVisible();
  await expect(policy.getByText("gives whoever can reach it root on the node")).toBeVisible();

  // A plain directory saves without a question.
  await policy.getByRole("button", { name: "+ Add host path" }).click();
  await expect(policy.getByLabel("Host path 1", { exact: true })).toBeFocused();
  await page.keyboard.type("/srv/rampart-e2e");
  await policy.getByRole("button", { name: "Save runtime policy" }).click();
  await expect(policy.getByText("Runtime policy saved.")).toBeVisible();
  await expect(policy.getByText("Allows host paths")).toBeVisible();

  // The swarm settings move on meanwhile (another administrator): the version the card holds is stale.
  const info = await trpc.query<{ version: number }>("swarm.info");
  await trpc.mutation("swarm.update", { version: info.version, taskHistoryLimit: 7 });

  // Host networking opens the host: confirmed first, then refused as a conflict, not saved over.
  await policy.getByLabel("Allow host network").check();
  await policy.getByRole("button", { name: "Save runtime policy" }).click();
  const confirm = page.getByRole("dialog", { name: "Allow services to reach their nodes?" });
  await expect(confirm.getByTestId("policy-confirm-list")).toContainText("Host networking");
  await confirm.getByRole("button", { name: "Allow and save" }).click();
  await expect(policy.getByText("Someone else changed the swarm settings")).toBeVisible();
  expect((await trpc.query<{ allowHostNetwork: boolean }>("swarm.runtimePolicy")).allowHostNetwork).toBe(false);

  // Reloading keeps the edit; saving again applies it at the new version.
  await policy.getByRole("button", { name: "Reload and keep my edits" }).click();
  await expect(policy.getByLabel("Allow host network")).toBeChecked();
  await policy.getByRole("button", { name: "Save runtime policy" }).click();
  await page.getByRole("dialog", { name: "Allow services to reach their nodes?" }).getByRole("button", { name: "Allow and save" }).click();
  await expect(policy.getByText("Runtime policy saved.")).toBeVisible();

  // Read again from the server: the page shows what was saved, and so does the API.
  await page.reload();
  await expect(card(page, "Runtime policy").getByLabel("Host path 1", { exact: true })).toHaveValue("/srv/rampart-e2e");
  await expect(card(page, "Runtime policy").getByLabel("Allow host network")).toBeChecked();
  await expect(card(page, "Runtime policy").getByLabel("Allow privileged containers")).not.toBeChecked();
  const saved = await trpc.query<{ allowedHostPaths: string[]; allowHostNetwork: boolean; allowPrivileged: boolean }>("swarm.runtimePolicy");
  expect(saved).toMatchObject({ allowedHostPaths: ["/srv/rampart-e2e"], allowHostNetwork: true, allowPrivileged: false });
  // The other settings card was not disturbed by the shared version: it still saves.
  await page.getByLabel("Task history limit").fill("6");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Swarm settings saved.")).toBeVisible();
});

test("a seccomp profile is added with inline errors, chosen by a service, kept while in use, then removed", async ({ page, admin, trpc }) => {
  const profile = "strict-e2e";
  const service = "e2e-custom-seccomp";
  await signIn(page, admin);
  await page.goto("/");
  await openSwarmSettings(page);
  const profiles = card(page, "Seccomp profiles");
  await expect(profiles.getByText("No custom profiles")).toBeVisible();

  await profiles.getByRole("button", { name: "Add a profile" }).click();
  const form = page.getByRole("form", { name: "Add a seccomp profile" });
  await form.getByLabel("Profile name").fill(profile);
  const json = form.getByLabel("Profile JSON");
  // Not JSON: said as it is typed.
  await json.fill('{"defaultAction": ');
  await expect(form.getByRole("alert")).toContainText("the seccomp profile is not valid JSON");
  // JSON, but not a profile: the server's refusal lands under the content.
  await json.fill('{"syscalls": []}');
  await form.getByRole("button", { name: "Add profile" }).click();
  await expect(form.getByRole("alert")).toContainText('a seccomp profile needs a "defaultAction"');
  await expect(json).toHaveAttribute("aria-invalid", "true");
  // A real one, uploaded as a file.
  const content = JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read", "write", "exit_group"], action: "SCMP_ACT_ALLOW" }] });
  await form.getByTestId("seccomp-file").setInputFiles({ name: "strict.json", mimeType: "application/json", buffer: Buffer.from(content) });
  await expect(json).toHaveValue(content);
  await form.getByRole("button", { name: "Add profile" }).click();
  await expect(profiles.getByText(`Profile ${profile} added.`)).toBeVisible();
  const row = profiles.getByTestId(`seccomp-row-${profile}`);
  await expect(row).toContainText(`${Buffer.byteLength(content)} B`);
  await expect(row).toContainText("no service");

  // Its page shows the content as stored.
  await row.getByRole("link", { name: profile }).click();
  await expect(page.getByRole("heading", { name: profile, level: 1 })).toBeVisible();
  await expect(page.getByTestId("seccomp-content")).toContainText('"SCMP_ACT_ERRNO"');

  // A service chooses it in the form: a custom profile is not a weakening.
  await openServiceForm(page);
  await fillServiceForm(page, { name: service, image: "nginx:1.27", replicas: 0 });
  const security = card(page, "Security");
  await security.getByRole("radio", { name: /^Custom profile/ }).check();
  await security.getByLabel("Seccomp profile", { exact: true }).selectOption(profile);
  await expect(page.getByTestId("weakened-flag")).toHaveCount(0);
  await page.getByRole("button", { name: "Create service" }).click();
  await expectServicePage(page, service);
  await expect(page.getByTestId("security-seccomp")).toContainText(`custom profile ${profile}`);
  await expect(page.getByTestId("security-seccomp")).not.toHaveAttribute("data-weakened", "true");

  // While the service names it, removal is refused, and the dialog names the service.
  await page.getByTestId("security-seccomp").getByRole("link", { name: profile }).click();
  await expect(page.getByRole("heading", { name: profile, level: 1 })).toBeVisible();
  await expect(page.getByTestId("profile-used-by").first()).toContainText(service);
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Remove ${profile}?` });
  await expect(dialog.getByText("In use", { exact: true })).toBeVisible();
  await expect(dialog.getByRole("link", { name: service })).toBeVisible();
  await dialog.getByLabel(`Type ${profile} to confirm`).fill(profile);
  await dialog.getByRole("button", { name: "Remove profile" }).click();
  await expect(dialog.getByTestId("confirm-error")).toContainText(`seccomp profile ${profile} is in use by service ${service}`);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Once the service is gone, it is removed from the list.
  await trpc.mutation("service.remove", { ref: service });
  await page.reload();
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  const again = page.getByRole("dialog", { name: `Remove ${profile}?` });
  await expect(again.getByText("No service uses it.")).toBeVisible();
  await again.getByLabel(`Type ${profile} to confirm`).fill(profile);
  await again.getByRole("button", { name: "Remove profile" }).click();
  await expect(page.getByRole("heading", { name: "Swarm settings", level: 1 })).toBeVisible();
  await expect(card(page, "Seccomp profiles").getByText("No custom profiles")).toBeVisible();
  expect(await trpc.query<unknown[]>("swarm.seccompProfiles")).toEqual([]);
});

test("the server's own node, with no engine, is marked as having no container runtime, with the reason", async ({ page, admin }) => {
  await signIn(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Nodes" }).click();
  const row = page.getByTestId("nodes-table").locator('tbody tr[data-testid^="node-row-"]');
  await expect(row).toHaveCount(1);
  const runtime = row.getByTestId("node-runtime");
  await expect(runtime).toHaveAttribute("data-kind", "none");
  await expect(runtime).toContainText("no container runtime");
  await expect(runtime).toHaveAttribute("title", /No container runtime: .+\. The node gets no tasks\./);
  await expect(page.getByTestId("no-runtime-note")).toContainText("gets no tasks");

  // Its page says the same, with the engine's error.
  await row.getByRole("link").first().click();
  await expect(page.getByText("No container runtime: this node gets no tasks")).toBeVisible();
  await expect(page.getByTestId("node-runtime-detail").getByTestId("node-runtime")).toHaveAttribute("data-kind", "none");
});

import { expect, type Page } from "@playwright/test";
import { type Trpc } from "./trpc.js";

/** Goes to Services from the main navigation and opens the form to create one. */
export async function openServiceForm(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Services" }).click();
  await expect(page.getByRole("heading", { name: "Services" })).toBeVisible();
  await page.getByRole("link", { name: "Create service" }).first().click();
  await expect(page.getByRole("heading", { name: "Create a service" })).toBeVisible();
}

/** Fills the service form's basic fields, found by their labels; those left out keep their defaults. */
export async function fillServiceForm(page: Page, spec: { name: string; image: string; replicas?: number; maxReplicasPerNode?: number }): Promise<void> {
  await page.getByLabel("Name", { exact: true }).fill(spec.name);
  await page.getByLabel("Image", { exact: true }).fill(spec.image);
  if (spec.replicas !== undefined) await page.getByLabel("Replicas", { exact: true }).fill(String(spec.replicas));
  if (spec.maxReplicasPerNode !== undefined) await page.getByLabel("Max replicas per node").fill(String(spec.maxReplicasPerNode));
}

/** Creates a service through the API (sign in first). */
export async function createService(trpc: Trpc, spec: { name: string; image: string; replicas?: number; constraints?: string[] }): Promise<{ id: string; version: number }> {
  return trpc.mutation("service.create", spec);
}

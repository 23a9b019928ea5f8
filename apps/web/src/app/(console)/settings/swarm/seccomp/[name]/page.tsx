"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { Breadcrumb } from "~/components/breadcrumb";
import { RemoveProfileDialog, UsedBy } from "~/components/seccomp-profiles";
import { detailState } from "~/components/states";
import { Button, Card, CopyButton, PageHeader } from "~/components/ui";
import { downloadFile } from "~/lib/audit";
import { formatDateTime, fromNow } from "~/lib/format";
import { exactBytes, formatBytes } from "~/lib/secrets";
import { useCan } from "~/lib/session";
import { useTRPC } from "~/lib/trpc";

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

/** The content as stored, indented for reading when it is JSON (it always is: the server checks it). */
function pretty(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

/** One seccomp profile: what it is, which services use it, its JSON, and removal while unused. */
export default function SeccompProfilePage() {
  const { name: raw } = useParams<{ name: string }>();
  const name = decodeURIComponent(raw);
  const trpc = useTRPC();
  const router = useRouter();
  // Its users change with the services: read again on every visit.
  const profile = useQuery({ ...trpc.swarm.seccompProfile.queryOptions({ name }), staleTime: 0 });
  const canEdit = useCan("cluster:admin");
  const [removing, setRemoving] = useState(false);
  const gate = detailState(profile, {
    what: "Seccomp profile",
    id: name,
    hint: "It may have been removed.",
    back: { href: "/settings/swarm#seccomp-profiles", label: "Back to seccomp profiles" },
  });
  if (gate || !profile.data) return gate;
  const data = profile.data;
  const now = new Date(profile.dataUpdatedAt);
  return (
    <>
      <Breadcrumb trail={[{ href: "/settings/swarm#seccomp-profiles", label: "Seccomp profiles" }]} current={data.name} />
      <PageHeader
        title={data.name}
        description="A custom seccomp profile. It cannot change: a new version is a new profile."
        actions={
          canEdit && (
            <Button variant="danger" onClick={() => setRemoving(true)}>
              Remove
            </Button>
          )
        }
      />
      <div className="grid grid-cols-1 items-start gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Card title="Profile">
          <dl className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="seccomp-profile">
            <Item label="Name">
              <span className="font-mono text-xs break-all">{data.name}</span>
            </Item>
            <Item label="ID">
              <span className="font-mono text-xs break-all">{data.id}</span>
            </Item>
            <Item label="Size">
              {formatBytes(data.size)} <span className="text-zinc-500">({exactBytes(data.size)})</span>
            </Item>
            <Item label="SHA-256">
              <span className="font-mono text-xs break-all">{data.digest}</span>
            </Item>
            <Item label="Created">
              {formatDateTime(data.createdAt)} <span className="text-zinc-500">({fromNow(data.createdAt, now)})</span>
            </Item>
            <Item label="Used by">
              <UsedBy names={data.usedBy} />
            </Item>
          </dl>
        </Card>
        <Card
          title="Content"
          actions={
            <div className="flex gap-2">
              <CopyButton value={data.content} label="Copy JSON" />
              <Button variant="secondary" onClick={() => downloadFile(`${data.name}.json`, "application/json", data.content)}>
                Download
              </Button>
            </div>
          }
        >
          <pre data-testid="seccomp-content" className="max-h-[32rem] overflow-auto rounded bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-800">
            {pretty(data.content)}
          </pre>
          <p className="mt-2 text-xs text-zinc-500">Shown indented; the bytes stored (and digested) are exactly those added.</p>
        </Card>
      </div>
      <RemoveProfileDialog name={data.name} usedBy={data.usedBy} open={removing} onClose={() => setRemoving(false)} onRemoved={() => router.push("/settings/swarm#seccomp-profiles")} />
    </>
  );
}

"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Button, Card, CopyButton, Dialog, PageHeader, Skeleton } from "~/components/ui";
import { useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { useTRPC } from "~/lib/trpc";

type Role = "worker" | "manager";

/** A token in the clear lives only here, in component state: never in a URL or a query cache. */
interface Revealed {
  token: string;
  command: string;
}

const MASK = "SWMTKN-1-••••••••••••••••••••••••…";

const ROLE_TEXT: Record<Role, { title: string; about: string }> = {
  worker: {
    title: "Worker",
    about: "A worker runs tasks. Give this token to machines that should only run workloads.",
  },
  manager: {
    title: "Manager",
    about: "A manager runs tasks and can manage the whole swarm. Share this token only with machines you trust as much as this server.",
  },
};

function CodeBlock({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <code
      data-testid={testId}
      className="block rounded-md bg-zinc-100 p-3 font-mono text-xs break-all text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100"
    >
      {children}
    </code>
  );
}

function TokenCard({ role, template }: { role: Role; template: string | undefined }) {
  const trpc = useTRPC();
  const env = useEnv();
  // gcTime 0: the mutation, and the token in its result, leave the cache as soon as they are read.
  const reveal = useMutation({ ...trpc.swarm.revealToken.mutationOptions(), gcTime: 0 });
  const rotate = useMutation({ ...trpc.swarm.rotateToken.mutationOptions(), gcTime: 0 });
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [rotated, setRotated] = useState(false);
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState<string | null>(null);
  const text = ROLE_TEXT[role];

  async function doReveal(): Promise<Revealed | null> {
    try {
      const result = await reveal.mutateAsync({ env, role });
      const value = { token: result.token, command: result.command };
      setRevealed(value);
      reveal.reset();
      return value;
    } catch {
      return null;
    }
  }

  async function copyCommand() {
    setCopyError(null);
    const value = revealed ?? (await doReveal());
    if (!value) return;
    try {
      await navigator.clipboard.writeText(value.command);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopyError("The browser did not allow copying. Select the command above and copy it yourself.");
    }
  }

  function hide() {
    setRevealed(null);
    setRotated(false);
    setCopied(false);
  }

  function closeRotate() {
    rotate.reset();
    setConfirmRotate(false);
  }

  async function doRotate() {
    try {
      const result = await rotate.mutateAsync({ env, role });
      setRevealed({ token: result.token, command: result.command });
      setRotated(true);
      closeRotate();
    } catch {
      // Shown in the dialog from rotate.error.
    }
  }

  return (
    <Card title={text.title}>
      <div className="space-y-4">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{text.about}</p>
        {rotated && <Alert tone="success">A new {role} token is in force. The old one no longer works.</Alert>}
        <div className="space-y-2">
          <h3 className="text-sm font-medium">Join token</h3>
          {revealed ? (
            <CodeBlock testId={`token-${role}`}>
              {revealed.token}
            </CodeBlock>
          ) : (
            <CodeBlock>
              <span aria-hidden="true">{MASK}</span>
              <span className="sr-only">Hidden. Reveal it to see it.</span>
            </CodeBlock>
          )}
          <div className="flex flex-wrap gap-2">
            {revealed ? (
              <>
                <CopyButton value={revealed.token} label="Copy token" />
                <Button variant="secondary" onClick={hide}>
                  Hide
                </Button>
              </>
            ) : (
              <Button variant="secondary" onClick={doReveal} busy={reveal.isPending}>
                Reveal
              </Button>
            )}
          </div>
        </div>
        <div className="space-y-2">
          <h3 className="text-sm font-medium">Join command</h3>
          {revealed ? (
            <CodeBlock>{revealed.command}</CodeBlock>
          ) : template ? (
            <CodeBlock>{template}</CodeBlock>
          ) : (
            <Skeleton className="h-10" />
          )}
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Run it on the new machine.</p>
        </div>
        {reveal.isError && <Alert>{describeError(reveal.error).message}</Alert>}
        {copyError && <Alert tone="warning">{copyError}</Alert>}
        <div className="flex flex-wrap items-center gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <Button onClick={copyCommand} busy={reveal.isPending}>
            {copied ? "Copied" : "Copy join command"}
          </Button>
          <Button variant="secondary" className="text-red-700 dark:text-red-400" onClick={() => setConfirmRotate(true)}>
            Rotate
          </Button>
        </div>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">Every reveal is recorded in the audit log, with who asked and from where.</p>
      </div>
      <Dialog open={confirmRotate} onClose={closeRotate} title={`Rotate the ${role} join token?`}>
        <div className="space-y-4">
          <p className="text-sm">
            A new {role} token is made and the current one <strong>stops working immediately</strong>: any machine that has not
            joined yet needs the new token. Nodes already in the swarm are not affected.
          </p>
          {rotate.isError && <Alert>{describeError(rotate.error).message}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={closeRotate}>
              Cancel
            </Button>
            <Button variant="danger" busy={rotate.isPending} onClick={doRotate}>
              Rotate token
            </Button>
          </div>
        </div>
      </Dialog>
    </Card>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 font-mono text-xs break-all">{children}</dd>
    </div>
  );
}

function JoinDetails() {
  const trpc = useTRPC();
  const env = useEnv();
  const info = useQuery(trpc.swarm.joinInfo.queryOptions({ env }));
  const ca = useQuery(trpc.swarm.ca.queryOptions({ env }));
  return (
    <Card title="How a node joins">
      {info.isPending ? (
        <Loading label="Loading join details" blocks={3} className="h-6" />
      ) : info.isError ? (
        <ErrorState error={info.error} onRetry={() => info.refetch()} />
      ) : (
        <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
          <Item label="Node address">{info.data.nodeAddress}</Item>
          <Item label="Root CA digest">{info.data.rootCaDigest}</Item>
          <Item label="Command">{info.data.commandTemplate}</Item>
        </dl>
      )}
      <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
        The token carries the digest of the swarm&apos;s root certificate, so a joining node checks that it is talking to this
        swarm before it sends anything.
      </p>
      {env === undefined ? (
        <div className="mt-4 space-y-2 text-sm" data-testid="join-install">
          <h3 className="font-medium">Getting rampart onto the machine</h3>
          <ol className="list-decimal space-y-1 pl-5 text-zinc-700 dark:text-zinc-300">
            <li>
              Where Rampart was built, run <code className="font-mono text-xs">pnpm release</code>: it makes one file,{" "}
              <code className="font-mono text-xs">dist-release/rampart-&lt;version&gt;.tgz</code>, with everything bundled, for the
              platform it was built on.
            </li>
            <li>
              Copy it to the machine, which needs only Node.js 20.19 or later, and run{" "}
              <code className="font-mono text-xs">npm install -g ./rampart-&lt;version&gt;.tgz --offline</code> (nothing is fetched).
            </li>
            <li>
              Save the token in a file only you can read and run the command with <code className="font-mono text-xs">--token-file FILE</code>{" "}
              in place of <code className="font-mono text-xs">--token</code>, so it does not show in the process list.
            </li>
          </ol>
          <p className="text-zinc-600 dark:text-zinc-400" data-testid="join-labels">
            <code className="font-mono text-xs">--label k=v</code> on the join command sets an <strong>engine label</strong>, which the
            node reports about itself, so a compromised node can claim any; place by{" "}
            <code className="font-mono text-xs">node.labels.*</code>, which only an administrator sets (
            <code className="font-mono text-xs">rampart node update --label-add</code>, or the node&apos;s page).
          </p>
        </div>
      ) : (
        <div className="mt-4 space-y-2 text-sm" data-testid="join-install">
          <h3 className="font-medium">Joining a machine to this swarm</h3>
          <p className="text-zinc-700 dark:text-zinc-300">
            Run the command on a machine with Docker Engine that can reach the address above. It joins with Docker&apos;s own{" "}
            <code className="font-mono text-xs">docker swarm join</code>; the new node shows on the Nodes page once a manager accepts it.
          </p>
          <p className="text-zinc-600 dark:text-zinc-400" data-testid="join-labels">
            An engine&apos;s own labels (<code className="font-mono text-xs">dockerd --label</code>) are claimed by the node itself; place by{" "}
            <code className="font-mono text-xs">node.labels.*</code>, which only an administrator sets, on the node&apos;s page.
          </p>
        </div>
      )}
      <details className="mt-4 rounded-md border border-zinc-200 dark:border-zinc-800">
        <summary className="cursor-pointer rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-600">
          Trust root (root CA certificate)
        </summary>
        <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
          {ca.isPending ? (
            <Skeleton className="h-32" />
          ) : ca.isError ? (
            <ErrorState error={ca.error} onRetry={() => ca.refetch()} />
          ) : (
            <>
              <p className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{ca.data.digest}</p>
              <pre className="max-h-64 overflow-auto rounded bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-800">{ca.data.pem}</pre>
              <CopyButton value={ca.data.pem} label="Copy certificate" />
            </>
          )}
        </div>
      </details>
    </Card>
  );
}

export default function JoinPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const info = useQuery(trpc.swarm.joinInfo.queryOptions({ env }));
  return (
    <>
      <PageHeader
        title="Join a node"
        description="Add a machine to the swarm: reveal the token for the role it should have and run the join command on that machine."
      />
      <div className="space-y-4">
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          <TokenCard role="worker" template={info.data?.commandTemplate} />
          <TokenCard role="manager" template={info.data?.commandTemplate} />
        </div>
        <JoinDetails />
      </div>
    </>
  );
}

import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import { linkClass } from "./ui";

/** Where a page sits: links up the trail, and the page itself last (not a link). */
export function Breadcrumb({ trail, current }: { trail: ReadonlyArray<{ href: string; label: ReactNode }>; current: ReactNode }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm">
      {trail.map((step) => (
        <Fragment key={step.href}>
          <Link href={step.href} className={linkClass}>
            {step.label}
          </Link>
          <span aria-hidden="true" className="mx-1 text-zinc-400">
            /
          </span>
        </Fragment>
      ))}
      <span aria-current="page">{current}</span>
    </nav>
  );
}

import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <p className="text-sm font-semibold text-sky-700 dark:text-sky-400">404</p>
      <h1 className="mt-2 text-xl font-semibold">This page does not exist</h1>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
        Back to the overview
      </Link>
    </main>
  );
}

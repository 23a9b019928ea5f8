export type ThemeChoice = "system" | "light" | "dark";
export const THEME_KEY = "rampart-theme";

/**
 * Runs before first paint (inline, with the CSP nonce), so a dark-mode user never sees
 * a white flash. Kept tiny and free of imports because it is sent as a string.
 */
export const themeScript = `(function(){try{var c=localStorage.getItem("${THEME_KEY}");var d=c==="dark"||(c!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d);}catch(e){}})();`;

export function readThemeChoice(): ThemeChoice {
  const stored = typeof localStorage === "undefined" ? null : localStorage.getItem(THEME_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
  if (choice === "system") localStorage.removeItem(THEME_KEY);
  else localStorage.setItem(THEME_KEY, choice);
}

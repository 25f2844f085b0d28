// Moving a range input as a user does: its value set, then the 'input' event the page listens to.
import type { Page } from 'playwright-core';

export async function setSlider(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (el, v) => {
      (el as HTMLInputElement).value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

// An organisation officer signs in, sets a password, and submits the new
// application form with an attachment in headless Chromium: the form is
// multipart with the browser's own mixed-case boundary, so the session
// layer must read the CSRF field from it as sent.
// Usage: node submit-application.mjs BASE_URL ACCOUNT ONE_TIME_PASSWORD CREDIT_CODE
import { chromium } from "playwright-core";

const [base, account, otp, code] = process.argv.slice(2);
const fail = (msg) => { console.log(`FAILED: ${msg}`); process.exit(1); };

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${base}/login`);
  await page.fill('input[name="name"]', account);
  await page.fill('input[name="password"]', otp);
  await Promise.all([page.waitForNavigation(), page.click('form:has(input[name="name"]) button[type="submit"]')]);
  // The first sign-in asks for a new password.
  if (await page.locator('input[name="confirm"]').count()) {
    const mine = "Browser#Test2026";
    await page.fill('input[name="current"]', otp);
    await page.fill('input[name="password"]', mine);
    await page.fill('input[name="confirm"]', mine);
    await Promise.all([page.waitForNavigation(), page.click('form:has(input[name="confirm"]) button[type="submit"]')]);
  }
  await page.goto(`${base}/applications/new`);
  if (!(await page.locator('form[enctype="multipart/form-data"]').count())) {
    const text = (await page.innerText("main").catch(() => "")).slice(0, 400);
    fail(`no application form at /applications/new (${page.url()}): ${text}`);
  }
  await page.selectOption("#n-rule", "R3");
  await page.fill("#n-who", code);
  await page.fill("#n-key", "2024-03");
  await page.fill("#n-amount", "500");
  await page.setInputFiles("#n-files", {
    name: "租赁合同.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n% gongyi browser test\n"),
  });
  await Promise.all([page.waitForNavigation(), page.click('form[enctype="multipart/form-data"] button[type="submit"]')]);
  const url = page.url();
  const body = await page.content();
  if (!/\/applications\/\d+\?submitted=1/.test(url) || !body.includes("申请已提交")) {
    fail(`the form was not accepted (${url}): ${body.replace(/<[^>]+>/g, " ").slice(0, 600)}`);
  }
  if (!body.includes("租赁合同.pdf")) fail("the accepted application does not list its attachment");
  console.log(`ok: the new-application form with an attachment is accepted (${url.replace(base, "")})`);
} finally {
  await browser.close();
}

import "@fontsource/sarabun/400.css";
import "@fontsource/sarabun/600.css";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import Projector from "./screens/Projector.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("#app element missing from index.html");
// The conference projector window loads the same page with #projector: it shows only what the
// facilitator puts on screen (its capability allows it no other command).
export default location.hash === "#projector" ? mount(Projector, { target }) : mount(App, { target });

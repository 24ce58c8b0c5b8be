import "@fontsource/sarabun/400.css";
import "@fontsource/sarabun/600.css";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("#app element missing from index.html");
export default mount(App, { target });
